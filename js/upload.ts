// The upload picker: drop zone and file dialog, chunked binary transfer to the kernel with
// progress and cancel, a path field (files on the kernel's machine) and a URL field.
import { clear, errorBox, h } from "./lib/dom";
import { channelFor, RequestError, type Model } from "./lib/protocol";
import { t } from "./lib/text";
import { Cancelled, checkFile, mb, sendFile, type ChunkSink } from "./lib/upload";

interface Transfer {
  uid: string;
  name: string;
  size: number;
  sent: number;
  leg: "browser" | "backend";
  status: string;
  error?: string;
}

interface MediaItem {
  id: string;
  name: string;
  type: string;
  size: number;
  url?: string | null;
}

const CHUNK_TIMEOUT_MS = 120_000;

/** The kernel side of the chunk protocol, over the widget's channel. */
export function kernelSink(model: Model): ChunkSink {
  const ch = channelFor(model);
  return {
    async start(meta) {
      const r = await ch.request("upload_start", meta);
      return { upload: r.upload as string, chunkSize: r.chunk_size as number };
    },
    async chunk(upload, seq, offset, data) {
      // A chunk whose answer is lost is sent again; the kernel acknowledges a repeat without
      // writing it twice.
      const r = await ch.request("upload_chunk", { upload, seq, offset }, [data], CHUNK_TIMEOUT_MS);
      return r.held as number;
    },
    async end(upload) {
      await ch.request("upload_end", { upload });
    },
    async cancel(upload) {
      await ch.request("upload_cancel", { upload });
    },
  };
}

/** Whether this page can load `url`: an http(s) URL, and a loopback one only from a loopback page
 * (on a remote hub the kernel's 127.0.0.1 is not the browser's). */
export function reachable(url: string, page: string = location.hostname): boolean {
  const m = /^https?:\/\/(\[[^\]]+\]|[^/:?#]+)/i.exec(url);
  if (!m) return false;
  const loop = (host: string) => /^(127\.|localhost$|\[::1\]$|::1$|0\.0\.0\.0$)/i.test(host);
  return !loop(m[1]) || loop(page);
}

function render({ model, el }: { model: Model; el: HTMLElement }): () => void {
  const ch = channelFor(model);
  const errors = h("div", { class: "nemo-errors" });
  const fileInput = h("input", { type: "file", multiple: true, hidden: true });
  const accept = (model.get("accept") as string[]).map((x) => `.${x}`).join(",");
  fileInput.setAttribute("accept", accept);
  const zone = h("div", { class: "nemo-drop", tabindex: 0, role: "button" },
    h("strong", { text: t(model, "upload.drop") }), t(model, "upload.or"),
    h("span", { class: "nemo-link", text: t(model, "upload.choose") }),
    h("div", { class: "nemo-muted", text: t(model, "upload.limits", { types: (model.get("accept") as string[]).join(", "), size: mb(model.get("max_size")) }) }));
  const pathField = h("input", { class: "nemo-input", type: "text", placeholder: t(model, "upload.path_placeholder") });
  const urlField = h("input", { class: "nemo-input", type: "url", placeholder: t(model, "upload.url_placeholder") });
  const transfers = h("div", { class: "nemo-transfers" });
  const media = h("div", { class: "nemo-media" });
  el.classList.add("nemo-root", "nemo-upload");
  el.append(zone, fileInput, errors,
    h("div", { class: "nemo-row" }, pathField, h("button", { class: "nemo-btn", type: "button", text: t(model, "upload.add_path"), onClick: () => void byRef("path", pathField) })),
    h("div", { class: "nemo-row" }, urlField, h("button", { class: "nemo-btn", type: "button", text: t(model, "upload.add_url"), onClick: () => void byRef("url", urlField) })),
    transfers, media);

  // Thumbnails of files picked here: object URLs live in this page only, never in a trait.
  const thumbs = new Map<string, string>();
  const controllers = new Map<string, AbortController>();
  const local = new Map<string, { name: string; size: number; sent: number; status: string }>();

  const showError = (msg: string) => errors.append(errorBox(msg));

  async function byRef(kind: "path" | "url", field: HTMLInputElement) {
    const value = field.value.trim();
    if (!value) return;
    clear(errors);
    try {
      await ch.request(kind, { [kind]: value });
      field.value = "";
    } catch (err) {
      showError((err as Error).message);
    }
  }

  async function upload(file: File) {
    const problem = checkFile(file, model.get("accept"), model.get("max_size"));
    if (problem) return showError(t(model, problem.key, problem.fields));
    const key = `${file.name}:${file.size}:${Date.now()}`;
    const ctl = new AbortController();
    controllers.set(key, ctl);
    local.set(key, { name: file.name, size: file.size, sent: 0, status: "sending" });
    draw();
    try {
      const uid = await sendFile(file, kernelSink(model), {
        signal: ctl.signal,
        chunkSize: model.get("chunk_size"),
        // Refusals (bad offset, too large, unsupported) are final; only lost messages are retried.
        retryable: (err) => !(err instanceof RequestError),
        onProgress: (sent) => {
          local.get(key)!.sent = sent;
          draw();
        },
      });
      if (file.type.startsWith("image/") && file.size < 8 * 1024 * 1024) thumbs.set(file.name, URL.createObjectURL(file));
      void uid;
      local.delete(key);
    } catch (err) {
      local.get(key)!.status = err instanceof Cancelled ? "cancelled" : "error";
      if (!(err instanceof Cancelled)) showError((err as Error).message);
    } finally {
      controllers.delete(key);
      draw();
    }
  }

  function bar(label: string, sent: number, total: number, status: string, onCancel?: () => void) {
    const pct = total > 0 ? Math.min(100, (100 * sent) / total) : 0;
    return h("div", { class: `nemo-transfer nemo-${status}` },
      h("span", { class: "nemo-name", text: label }),
      h("progress", { max: 100, value: pct.toFixed(1) }),
      h("span", { class: "nemo-muted", text: t(model, "upload.progress", { status: t(model, `upload.status.${status}`), sent: mb(sent), total: mb(total) }) }),
      onCancel ? h("button", { class: "nemo-btn nemo-small", type: "button", text: t(model, "common.cancel"), onClick: onCancel }) : null);
  }

  function draw() {
    clear(transfers);
    for (const [key, x] of local) {
      const ctl = controllers.get(key);
      transfers.append(bar(t(model, "upload.to_kernel", { name: x.name }), x.sent, x.size, x.status, ctl ? () => ctl.abort() : undefined));
    }
    for (const x of (model.get("transfers") as Transfer[]) ?? []) {
      const running = x.status === "uploading";
      transfers.append(bar(t(model, "upload.to_backend", { name: x.name }), x.sent, x.size, x.status,
        running ? () => void ch.request("upload_cancel", { upload: x.uid }).catch((e: Error) => showError(e.message)) : undefined));
      if (x.error) transfers.append(errorBox(`${x.name}: ${x.error}`));
    }
    clear(media);
    for (const m of (model.get("media") as MediaItem[]) ?? []) {
      const made = (model.get("thumbs") as Record<string, string> | undefined)?.[m.id];
      const src = (made && made.startsWith("data:image/") ? made : "") || thumbs.get(m.name) ||
        (m.type === "image" && m.url && reachable(m.url) ? m.url : "");
      media.append(h("figure", { class: "nemo-thumb", title: `${m.name} (${m.id})` },
        src ? h("img", { src, alt: m.name, loading: "lazy" }) : h("div", { class: "nemo-icon", text: m.type === "audio" ? "♪" : m.type === "video" ? "▶" : "▣" }),
        h("figcaption", { text: m.name })));
    }
  }

  const pick = (files: FileList | null) => {
    clear(errors);
    for (const f of Array.from(files ?? [])) void upload(f);
  };
  zone.addEventListener("click", () => fileInput.click());
  zone.addEventListener("keydown", (ev: KeyboardEvent) => {
    if (ev.key === "Enter" || ev.key === " ") fileInput.click();
  });
  fileInput.addEventListener("change", () => {
    pick(fileInput.files);
    fileInput.value = "";
  });
  zone.addEventListener("dragover", (ev: DragEvent) => {
    ev.preventDefault();
    zone.classList.add("nemo-over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("nemo-over"));
  zone.addEventListener("drop", (ev: DragEvent) => {
    ev.preventDefault();
    zone.classList.remove("nemo-over");
    pick(ev.dataTransfer?.files ?? null);
  });
  model.on("change:transfers", draw);
  model.on("change:media", draw);
  model.on("change:thumbs", draw);
  draw();
  return () => {
    for (const c of controllers.values()) c.abort();
    for (const url of thumbs.values()) URL.revokeObjectURL(url);
    model.off("change:transfers", draw);
    model.off("change:media", draw);
    model.off("change:thumbs", draw);
  };
}

export default { render };
