// The export panel: quality, Export (Cancel while the render runs), a progress bar through
// pending/processing/download, then an
// inline player fed by the best route the browser can reach (direct URL, Colab's port proxy, or
// chunks through the widget channel into a Blob URL), a download button and the project link.
import { clear, errorBox, h } from "./lib/dom";
import { channelFor, newId, type Model } from "./lib/protocol";
import { t } from "./lib/text";
import { mb } from "./lib/upload";

interface Job {
  id: string;
  status: string;
  percent: number;
  path?: string | null;
  url?: string | null;
  error?: string | null;
}

declare global {
  interface Window {
    google?: { colab?: { kernel?: { proxyPort?: (port: number, opts?: unknown) => Promise<string> } } };
  }
}

const PHASES = ["pending", "processing", "download", "completed"];

/** The phase of a job for the progress bar: completed jobs without a file are downloading. */
export function phase(job: Job | null): string {
  if (!job) return "idle";
  if (job.status === "completed" && !job.path) return "download";
  return job.status;
}

/** Whether a render is under way in this phase (the Cancel button shows). */
export function running(p: string): boolean {
  return p === "pending" || p === "processing";
}

/** Collects streamed chunks in order; the Blob is built once at the end. */
export class ChunkCollector {
  private parts: ArrayBuffer[] = [];
  received = 0;

  /** Add the chunk that starts at `offset`; false when it is not the next one. */
  add(offset: number, data: DataView): boolean {
    if (offset !== this.received) return false;
    this.parts.push(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
    this.received += data.byteLength;
    return true;
  }

  blob(type = "video/mp4"): Blob {
    return new Blob(this.parts, { type });
  }
}

function render({ model, el }: { model: Model; el: HTMLElement }): () => void {
  const ch = channelFor(model);
  const quality = h("select", { class: "nemo-input nemo-select" });
  for (const q of model.get("qualities") as string[]) quality.append(h("option", { value: q, text: t(model, `export.quality.${q}`) }));
  quality.value = model.get("quality");
  quality.addEventListener("change", () => {
    model.set("quality", quality.value);
    model.save_changes();
  });
  const exportBtn = h("button", { class: "nemo-btn nemo-primary", type: "button", text: t(model, "export.export") });
  const cancelBtn = h("button", { class: "nemo-btn", type: "button", text: t(model, "common.cancel") });
  const linkBtn = h("button", { class: "nemo-btn", type: "button", text: t(model, "export.open_project") });
  const progress = h("progress", { max: 100, value: 0 });
  const steps = h("div", { class: "nemo-steps" });
  const status = h("div", { class: "nemo-muted" });
  const errors = h("div");
  const player = h("div", { class: "nemo-player" });
  const history = h("ul", { class: "nemo-jobs" });
  el.classList.add("nemo-root", "nemo-export");
  el.append(h("div", { class: "nemo-row" }, h("label", { text: `${t(model, "export.quality")} ` }, quality), exportBtn, cancelBtn, linkBtn),
    steps, progress, status, errors, player, history);

  let shownFor = "";
  let blobUrl = "";
  let fetchId = "";
  const showError = (m: string) => errors.append(errorBox(m));

  const stream = (job: Job, video: HTMLVideoElement, download: HTMLAnchorElement) => {
    const collector = new ChunkCollector();
    const total = Number(model.get("video_size")) || 0;
    const cap = Number(model.get("cap"));
    if (total > cap) {
      status.textContent = t(model, "export.too_big", { size: mb(total), cap: mb(cap), path: job.path ?? t(model, "export.the_file") });
      return;
    }
    fetchId = newId("f");
    const off = ch.listen((msg, buffers) => {
      if (msg.kind !== "video_chunk" || msg.fetch !== fetchId) return;
      if (!collector.add(msg.offset, buffers[0])) return;
      status.textContent = t(model, "export.loading", { got: mb(collector.received), total: mb(msg.total) });
    });
    ch.request("fetch", { job: job.id, fetch: fetchId }).then((r) => {
      fetchId = "";
      if (collector.received !== r.total) throw new Error(t(model, "export.incomplete", { got: collector.received, total: r.total as number }));
      blobUrl = URL.createObjectURL(collector.blob());
      video.src = blobUrl;
      download.href = blobUrl;
      status.textContent = job.path ?? "";
    }).catch((e: Error) => showError(e.message)).finally(off);
  };

  const showVideo = async (job: Job) => {
    if (shownFor === job.id) return;
    shownFor = job.id;
    clear(player);
    const video = h("video", { controls: true, preload: "metadata", playsinline: true, class: "nemo-video" });
    const download = h("a", { class: "nemo-btn", download: `${job.id}.mp4`, text: t(model, "export.download") });
    player.append(video, h("div", { class: "nemo-row" }, download));
    const port = Number(model.get("local_port")) || 0;
    const direct = model.get("video_url") as string;
    const proxy = window.google?.colab?.kernel?.proxyPort;
    if (proxy && port) {
      const base = await proxy(port, { cache: false });
      const url = base.replace(/\/$/, "") + (model.get("local_path") as string);
      video.src = url;
      download.href = url;
      return;
    }
    if (direct) {
      video.addEventListener("error", () => {
        // The kernel's machine is not the browser's (remote hub, VS Code remote): stream instead.
        video.removeAttribute("src");
        stream(job, video, download);
      }, { once: true });
      video.src = direct;
      download.href = direct;
      return;
    }
    stream(job, video, download);
  };

  const draw = () => {
    const job = (model.get("job") as Job | null) ?? null;
    const p = phase(job);
    exportBtn.disabled = p === "pending" || p === "processing" || p === "download";
    cancelBtn.hidden = !running(p);
    cancelBtn.disabled = false;
    clear(steps);
    for (const s of PHASES) steps.append(h("span", { class: `nemo-step${s === p ? " nemo-on" : ""}${PHASES.indexOf(s) < PHASES.indexOf(p) ? " nemo-done" : ""}`, text: t(model, `export.phase.${s}`) }));
    progress.value = job ? (p === "completed" ? 100 : Math.max(2, Number(job.percent) || 0)) : 0;
    const stopped = p === "cancelled";
    status.textContent = !job ? "" : stopped ? t(model, "export.cancelled") : job.error ? "" : p === "completed" ? job.path ?? "" : `${t(model, `export.phase.${p}`)}…`;
    clear(errors);
    if (job?.error && !stopped) showError(job.error);
    if (job && p === "completed") void showVideo(job).catch((e: Error) => showError(e.message));
    clear(history);
    for (const j of (model.get("jobs") as Job[]) ?? []) {
      history.append(h("li", { text: `${j.id} · ${t(model, `export.phase.${j.status}`)}${j.path ? ` · ${j.path}` : ""}` }));
    }
  };

  exportBtn.addEventListener("click", () => {
    clear(errors);
    ch.request("export", { quality: quality.value }).catch((e: Error) => showError(e.message));
  });
  cancelBtn.addEventListener("click", () => {
    cancelBtn.disabled = true;
    ch.request("cancel").catch((e: Error) => showError(e.message)).finally(() => { cancelBtn.disabled = false; });
  });
  linkBtn.addEventListener("click", () => {
    ch.request("link").then((r) => window.open(String(r.url), "_blank", "noopener")).catch((e: Error) => showError(e.message));
  });
  const keys = ["job", "jobs", "video_url"];
  for (const k of keys) model.on(`change:${k}`, draw);
  draw();
  return () => {
    for (const k of keys) model.off(`change:${k}`, draw);
    if (fetchId) ch.post("fetch_cancel", { fetch: fetchId });
    if (blobUrl) URL.revokeObjectURL(blobUrl);
  };
}

export default { render };
