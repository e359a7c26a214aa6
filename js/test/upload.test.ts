import { describe, expect, it } from "vitest";
import { Cancelled, checkFile, MAX_CHUNK, sendFile, slices, type ChunkSink } from "../lib/upload";

function file(size: number, name = "clip.mp4"): Blob & { name: string } {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) % 251;
  return Object.assign(new Blob([bytes], { type: "video/mp4" }), { name });
}

/** A kernel that checks order like the Python side and records what it got. */
function kernel(opts: { failOnce?: Set<number>; refuse?: number; onChunk?: (seq: number) => void } = {}) {
  const got: Array<{ seq: number; offset: number; bytes: Uint8Array }> = [];
  const calls: string[] = [];
  let held = 0;
  const failed = new Set<number>();
  const sink: ChunkSink = {
    async start(meta) {
      calls.push(`start ${meta.name} ${meta.size}`);
      return { upload: "u1", chunkSize: MAX_CHUNK };
    },
    async chunk(_u, seq, offset, data) {
      opts.onChunk?.(seq);
      if (opts.refuse === seq) throw Object.assign(new Error("refused"), { refused: true });
      if (opts.failOnce?.has(seq) && !failed.has(seq)) {
        failed.add(seq);
        throw new Error("lost");
      }
      if (offset !== held) throw new Error(`offset ${offset} != ${held}`);
      got.push({ seq, offset, bytes: new Uint8Array(data) });
      held += data.byteLength;
      return held;
    },
    async end() {
      calls.push("end");
    },
    async cancel() {
      calls.push("cancel");
    },
  };
  return { sink, got, calls };
}

describe("slices", () => {
  it.each([
    [0, 4, []],
    [10, 4, [[0, 4], [4, 8], [8, 10]]],
    [8, 4, [[0, 4], [4, 8]]],
    [3, 4, [[0, 3]]],
  ])("size %i in chunks of %i", (size, chunk, want) => {
    expect(slices(size, chunk)).toEqual(want);
  });
});

describe("sendFile", () => {
  it("sends every chunk in order and the bytes add up to the file", async () => {
    const f = file(10_000);
    const k = kernel();
    const progress: number[] = [];
    await sendFile(f, k.sink, { chunkSize: 4096, onProgress: (s) => progress.push(s) });
    expect(k.got.map((g) => [g.seq, g.offset])).toEqual([[0, 0], [1, 4096], [2, 8192]]);
    const joined = new Uint8Array(await f.arrayBuffer());
    const received = new Uint8Array(10_000);
    for (const g of k.got) received.set(g.bytes, g.offset);
    expect(received).toEqual(joined);
    expect(progress).toEqual([4096, 8192, 10_000]);
    expect(k.calls).toEqual(["start clip.mp4 10000", "end"]);
  });

  it("never sends chunks larger than the kernel allows", async () => {
    const k = kernel();
    await sendFile(file(MAX_CHUNK + 10), k.sink, { chunkSize: 64 * 1024 * 1024 });
    expect(Math.max(...k.got.map((g) => g.bytes.byteLength))).toBe(MAX_CHUNK);
  });

  it("retries a lost chunk once and carries on", async () => {
    const k = kernel({ failOnce: new Set([1]) });
    await sendFile(file(9000), k.sink, { chunkSize: 4000 });
    expect(k.got.map((g) => g.seq)).toEqual([0, 1, 2]);
    expect(k.calls.at(-1)).toBe("end");
  });

  it("does not retry a refusal, and cancels on the kernel", async () => {
    const k = kernel({ refuse: 1 });
    await expect(
      sendFile(file(9000), k.sink, { chunkSize: 4000, retryable: (e) => !(e as { refused?: boolean }).refused }),
    ).rejects.toThrow("refused");
    expect(k.got.length).toBe(1);
    expect(k.calls.at(-1)).toBe("cancel");
  });

  it("gives up after the allowed retries", async () => {
    let tries = 0;
    const k = kernel({ onChunk: () => (tries += 1), refuse: 0 });
    await expect(sendFile(file(100), k.sink, { retries: 2 })).rejects.toThrow("refused");
    expect(tries).toBe(3);
  });

  it("stops between chunks when cancelled", async () => {
    const ctl = new AbortController();
    const k = kernel({ onChunk: (seq) => seq === 1 && ctl.abort() });
    await expect(sendFile(file(20_000), k.sink, { chunkSize: 4000, signal: ctl.signal })).rejects.toBeInstanceOf(Cancelled);
    expect(k.got.map((g) => g.seq)).toEqual([0, 1]);
    expect(k.calls).toEqual(["start clip.mp4 20000", "cancel"]);
  });
});

describe("checkFile", () => {
  it.each([
    [{ name: "a.MP4", size: 10 }, null],
    [{ name: "a.exe", size: 10 }, { key: "upload.not_accepted", fields: { ext: "exe" } }],
    [{ name: "noext", size: 10 }, { key: "upload.not_accepted", fields: { ext: "?" } }],
    [{ name: "a.png", size: 0 }, { key: "upload.empty", fields: { name: "a.png" } }],
    [{ name: "a.png", size: 501_000_000 }, { key: "upload.too_large", fields: { limit: "500 MB" } }],
    [{ name: "b.png", size: 500_000_001 }, { key: "upload.too_large", fields: { limit: "500 MB" } }],
    [{ name: "c.png", size: 500_000_000 }, null],
  ])("%o", (f, want) => {
    const got = checkFile(f);
    if (want === null) expect(got).toBeNull();
    else expect(got).toMatchObject(want);
  });
});
