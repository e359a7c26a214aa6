// Files go to the kernel in binary chunks (comm buffers, never base64 in JSON), one chunk in
// flight at a time, each acknowledged with the bytes the kernel holds; a failed chunk is retried.

/** The largest chunk a message may carry: far under Tornado's 10 MB websocket cap. */
export const MAX_CHUNK = 4 * 1024 * 1024;

/** Types the backend accepts (by extension), as in the contract. */
export const ACCEPTED = [
  "mp4", "mov", "avi", "webm", "mkv", "jpg", "jpeg", "png", "gif", "webp", "mp3", "wav", "m4a", "aac",
];

/** The limit per file ("500 MB", decimal); the kernel sends its own value in the `max_size` trait. */
export const MAX_SIZE = 500_000_000;

/** Why a file is refused: a `labels` key (`upload.…`) and its fields. */
export interface Problem {
  key: string;
  fields: Record<string, string>;
}

/** What the browser checks before any byte is sent: null when fine, else the reason. */
export function checkFile(
  file: { name: string; size: number },
  accepted: readonly string[] = ACCEPTED,
  maxSize: number = MAX_SIZE,
): Problem | null {
  const dot = file.name.lastIndexOf(".");
  const ext = dot >= 0 ? file.name.slice(dot + 1).toLowerCase() : "";
  const name = file.name;
  if (!accepted.includes(ext)) {
    return { key: "upload.not_accepted", fields: { name, ext: ext || "?", types: accepted.join(", ") } };
  }
  if (file.size <= 0) return { key: "upload.empty", fields: { name } };
  if (file.size > maxSize) {
    return { key: "upload.too_large", fields: { name, size: mb(file.size), limit: mb(maxSize) } };
  }
  return null;
}

/** Bytes as a short human size, in decimal units like the "500 MB" limit. */
export function mb(n: number): string {
  if (n < 1e6) return `${Math.max(1, Math.round(n / 1e3))} KB`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;
}

/** The kernel side of an upload, as the uploader sees it. */
export interface ChunkSink {
  start(meta: { name: string; size: number; type: string }): Promise<{ upload: string; chunkSize?: number }>;
  /** Resolves with the number of bytes the kernel now holds. */
  chunk(upload: string, seq: number, offset: number, data: ArrayBuffer): Promise<number>;
  end(upload: string): Promise<void>;
  cancel(upload: string): Promise<void>;
}

/** Options of one upload. */
export interface UploadOptions {
  chunkSize?: number;
  retries?: number;
  signal?: AbortSignal;
  onProgress?: (sent: number, total: number) => void;
  /** Whether a failed chunk may be sent again (errors the kernel refused on purpose may not). */
  retryable?: (err: unknown) => boolean;
}

/** Raised when the user cancelled. */
export class Cancelled extends Error {
  constructor() {
    super("cancelled");
  }
}

/** The byte ranges of a file of `size` bytes cut into chunks of `chunk` bytes. */
export function slices(size: number, chunk: number): Array<[number, number]> {
  if (chunk <= 0) throw new Error("chunk size must be positive");
  const out: Array<[number, number]> = [];
  for (let start = 0; start < size; start += chunk) out.push([start, Math.min(size, start + chunk)]);
  return out;
}

/** Send `file` through `sink`; resolves with the upload id once the kernel has all of it. */
export async function sendFile(
  file: Blob & { name: string },
  sink: ChunkSink,
  opts: UploadOptions = {},
): Promise<string> {
  const retries = opts.retries ?? 2;
  const retryable = opts.retryable ?? (() => true);
  const aborted = () => opts.signal?.aborted === true;
  if (aborted()) throw new Cancelled();
  const started = await sink.start({ name: file.name, size: file.size, type: file.type });
  const upload = started.upload;
  const chunk = Math.min(opts.chunkSize ?? started.chunkSize ?? MAX_CHUNK, started.chunkSize ?? MAX_CHUNK);
  try {
    let seq = 0;
    for (const [start, end] of slices(file.size, chunk)) {
      if (aborted()) throw new Cancelled();
      const data = await file.slice(start, end).arrayBuffer();
      let attempt = 0;
      for (;;) {
        try {
          const held = await sink.chunk(upload, seq, start, data);
          if (held !== end) throw new Error(`kernel holds ${held} bytes, expected ${end}`);
          break;
        } catch (err) {
          attempt += 1;
          if (aborted()) throw new Cancelled();
          if (attempt > retries || !retryable(err)) throw err;
        }
      }
      seq += 1;
      opts.onProgress?.(end, file.size);
    }
    if (aborted()) throw new Cancelled();
    await sink.end(upload);
    return upload;
  } catch (err) {
    // The kernel drops its temporary file on cancel; a refusal already removed it there.
    await sink.cancel(upload).catch(() => undefined);
    throw err;
  }
}
