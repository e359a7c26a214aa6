// @vitest-environment happy-dom
// The views in a DOM, driven by a fake model: what the user sees and what goes to the kernel.
import { describe, expect, it } from "vitest";
import chat from "../chat";
import exportView from "../export";
import timeline from "../timeline";
import upload from "../upload";
import type { Model } from "../lib/protocol";

// The English strings these tests look for (the kernel sends the whole set in `labels`).
const LABELS: Record<string, string> = {
  "common.cancel": "Cancel",
  "chat.copy": "Copy",
  "chat.copied": "Copied",
  "chat.route.credits": "💳 Credits",
  "upload.not_accepted": "{name}: type .{ext} is not accepted ({types})",
  "export.phase.processing": "processing",
  "export.cancelled": "Cancelled.",
  "export.too_big": "The video ({size}) is over the {cap} limit for the notebook channel: open {path} on the kernel's machine.",
};

/** A model double: traits in a map, messages to the kernel recorded, kernel messages injected. */
function fakeModel(traits: Record<string, unknown>) {
  traits = { labels: LABELS, ...traits };
  const handlers = new Map<string, Set<(...a: any[]) => void>>();
  const sent: Array<{ content: any; buffers?: any[] }> = [];
  const saved: string[] = [];
  const model: Model = {
    get: (k) => traits[k],
    set: (k, v) => {
      traits[k] = v;
      for (const h of handlers.get(`change:${k}`) ?? []) h();
    },
    save_changes: () => void saved.push("save"),
    on: (e, cb) => {
      if (!handlers.has(e)) handlers.set(e, new Set());
      handlers.get(e)!.add(cb);
    },
    off: (e, cb) => void handlers.get(e)?.delete(cb!),
    send: (content, _cb, buffers) => void sent.push({ content, buffers: buffers as any[] }),
  };
  const fromKernel = (msg: any, buffers: DataView[] = []) => {
    for (const h of handlers.get("msg:custom") ?? []) h(msg, buffers);
  };
  const answer = (kind: string, body: Record<string, unknown> = {}) => {
    const req = [...sent].reverse().find((s) => s.content.kind === kind);
    if (!req) throw new Error(`no ${kind} request`);
    fromKernel({ kind: "reply", id: req.content.id, ok: true, ...body });
  };
  return { model, sent, saved, fromKernel, answer, traits };
}

const tick = (ms = 80) => new Promise((r) => setTimeout(r, ms));

describe("chat view", () => {
  it("syncs, sends on Enter, and grows the reply from deltas", async () => {
    const m = fakeModel({ transcript: [], busy: false, placeholder: "Ask" });
    const el = document.createElement("div");
    const cleanup = chat.render({ model: m.model, el });
    expect(m.sent[0].content.kind).toBe("ready");
    m.answer("ready", { missing: [], live: null });
    await tick(0);
    const input = el.querySelector("textarea")!;
    input.value = "make it <b>bold</b>";
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(m.sent.at(-1)!.content).toMatchObject({ kind: "send", text: "make it <b>bold</b>" });
    m.answer("send");
    m.fromKernel({ kind: "append", index: 0, entry: { role: "user", text: "make it <b>bold</b>", route: "chat" } });
    m.fromKernel({ kind: "delta", turn: 1, offset: 0, text: "**Done**", activity: "🔧 add_title…" });
    await tick();
    expect(el.querySelector(".nemo-user")!.textContent).toBe("make it <b>bold</b>");
    expect(el.querySelector(".nemo-user b")).toBeNull(); // the user's text is never HTML
    expect(el.querySelector(".nemo-live strong")!.textContent).toBe("Done");
    expect(el.querySelector(".nemo-activity")!.textContent).toBe("🔧 add_title…");
    m.fromKernel({ kind: "delta", turn: 1, offset: 8, text: " — title added.", activity: "" });
    m.fromKernel({ kind: "end", turn: 1, length: 23, route: "chat" });
    await tick();
    expect(m.traits.transcript).toHaveLength(2);
    const replies = el.querySelectorAll(".nemo-assistant:not(.nemo-live)");
    expect(replies[0].textContent).toBe("Done — title added.");
    expect((el.querySelector(".nemo-live") as HTMLElement).hidden).toBe(true);
    cleanup();
  });

  it("shows routed actions as cards", async () => {
    const transcript = [
      { role: "user", text: "余额", route: "chat" },
      { role: "assistant", text: "💳 90 available", route: "credits" },
    ];
    const m = fakeModel({ transcript, busy: false, placeholder: "" });
    const el = document.createElement("div");
    chat.render({ model: m.model, el });
    expect(el.querySelector(".nemo-card-title")!.textContent).toBe("💳 Credits");
    expect(el.querySelector(".nemo-card-body")!.textContent).toBe("💳 90 available");
  });
});

describe("chat view: input, scroll, copy, stop, suggestions", () => {
  const ready = async (traits: Record<string, unknown>) => {
    const m = fakeModel({ transcript: [], busy: false, placeholder: "", ...traits });
    const el = document.createElement("div");
    document.body.append(el);
    const cleanup = chat.render({ model: m.model, el });
    m.answer("ready", { missing: [], live: null });
    await tick(0);
    return { m, el, cleanup };
  };

  it("never sends on an Enter that belongs to an input method", async () => {
    const { m, el } = await ready({});
    const input = el.querySelector("textarea")!;
    input.value = "把标题";
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", keyCode: 229 } as KeyboardEventInit));
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", isComposing: true }));
    expect(m.sent.filter((s) => s.content.kind === "send")).toHaveLength(0);
    expect(input.value).toBe("把标题");
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(m.sent.filter((s) => s.content.kind === "send")).toHaveLength(1);
  });

  it("shows the suggestions until the first message, and a click sends one", async () => {
    const { m, el } = await ready({ suggestions: ["Add background music", "Make it square 1:1"], labels: { ...LABELS, "chat.suggestions": "试试：" } });
    const tips = el.querySelector(".nemo-suggestions") as HTMLElement;
    expect(tips.hidden).toBe(false);
    expect(tips.textContent).toContain("试试：");
    (el.querySelectorAll(".nemo-suggestion")[1] as HTMLButtonElement).click();
    expect(m.sent.at(-1)!.content).toMatchObject({ kind: "send", text: "Make it square 1:1" });
    m.answer("send");
    m.fromKernel({ kind: "append", index: 0, entry: { role: "user", text: "Make it square 1:1", route: "chat" } });
    await tick();
    expect(tips.hidden).toBe(true);
  });

  it("copies a reply's Markdown source and says so", async () => {
    const copied: string[] = [];
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText: async (t: string) => void copied.push(t) } });
    const transcript = [{ role: "user", text: "hi", route: "chat" }, { role: "assistant", text: "**Done**: | a |", route: "chat" }];
    const { el } = await ready({ transcript });
    const button = el.querySelector(".nemo-assistant .nemo-copy") as HTMLButtonElement;
    expect(el.querySelector(".nemo-user .nemo-copy")).toBeNull();
    button.click();
    await tick(0);
    expect(copied).toEqual(["**Done**: | a |"]);
    expect(button.getAttribute("data-label")).toBe("Copied");
    expect(el.querySelector(".nemo-assistant")!.textContent).toBe("Done: | a |"); // the label is CSS only
  });

  it("offers Stop while busy and asks the kernel to stop waiting", async () => {
    const { m, el } = await ready({});
    const stop = el.querySelector(".nemo-stop") as HTMLButtonElement;
    expect(stop.hidden).toBe(true);
    m.model.set("busy", true);
    expect(stop.hidden).toBe(false);
    stop.click();
    expect(m.sent.at(-1)!.content.kind).toBe("stop");
    expect(m.sent.filter((s) => s.content.kind === "send")).toHaveLength(0); // never a re-send
    m.fromKernel({ kind: "delta", turn: 0, offset: 0, text: "⏹ Stopped waiting." });
    m.fromKernel({ kind: "end", turn: 0, length: 18, route: "chat", stopped: true });
    await tick();
    expect(el.querySelector(".nemo-msg.nemo-stopped")!.textContent).toBe("⏹ Stopped waiting.");
  });

  it("stays put when the user scrolls up during a stream, follows again at the bottom", async () => {
    const { m, el } = await ready({});
    const list = el.querySelector(".nemo-chat-list") as HTMLElement;
    let top = 0;
    let height = 1000;
    Object.defineProperty(list, "scrollHeight", { get: () => height });
    Object.defineProperty(list, "clientHeight", { get: () => 200 });
    Object.defineProperty(list, "scrollTop", { get: () => top, set: (v: number) => void (top = Math.min(v, height - 200)) });
    m.fromKernel({ kind: "append", index: 0, entry: { role: "user", text: "go", route: "chat" } });
    m.fromKernel({ kind: "delta", turn: 1, offset: 0, text: "a" });
    await tick();
    expect(top).toBe(800); // following: at the bottom
    const step = async (userTop: number, grown: number, offset: number) => {
      top = userTop; // where the user scrolled to
      list.dispatchEvent(new Event("scroll"));
      height = grown;
      m.fromKernel({ kind: "delta", turn: 1, offset, text: "x" });
      await tick();
    };
    await step(300, 1400, 1); // scrolled up: stays put
    expect(top).toBe(300);
    await step(1200, 1600, 2); // back at the bottom: follows again
    expect(top).toBe(1400);
  });
});

describe("upload view", () => {
  it("refuses a bad file before sending, and sends a good one in chunks", async () => {
    const m = fakeModel({ accept: ["png"], max_size: 1000, chunk_size: 4, media: [], transfers: [] });
    const el = document.createElement("div");
    upload.render({ model: m.model, el });
    const input = el.querySelector("input[type=file]") as HTMLInputElement;
    const bad = new File(["x"], "virus.exe");
    Object.defineProperty(input, "files", { value: [bad], configurable: true });
    input.dispatchEvent(new Event("change"));
    expect(el.querySelector(".nemo-error")!.textContent).toContain("not accepted");
    expect(m.sent).toEqual([]);

    const good = new File([new Uint8Array([1, 2, 3, 4, 5, 6])], "a.png", { type: "image/png" });
    Object.defineProperty(input, "files", { value: [good], configurable: true });
    input.dispatchEvent(new Event("change"));
    await tick(0);
    expect(m.sent.at(-1)!.content).toMatchObject({ kind: "upload_start", name: "a.png", size: 6 });
    m.answer("upload_start", { upload: "u1", chunk_size: 4 });
    await tick(10);
    expect(m.sent.at(-1)!.content).toMatchObject({ kind: "upload_chunk", upload: "u1", seq: 0, offset: 0 });
    expect(new Uint8Array(m.sent.at(-1)!.buffers![0])).toEqual(new Uint8Array([1, 2, 3, 4]));
    m.answer("upload_chunk", { held: 4 });
    await tick(10);
    expect(m.sent.at(-1)!.content).toMatchObject({ kind: "upload_chunk", seq: 1, offset: 4 });
    m.answer("upload_chunk", { held: 6 });
    await tick(10);
    expect(m.sent.at(-1)!.content).toMatchObject({ kind: "upload_end", upload: "u1" });
    m.answer("upload_end", { upload: "u1" });
    m.model.set("media", [{ id: "med_1", name: "a.png", type: "image", size: 6, url: null }]);
    await tick(10);
    expect(el.querySelector("figcaption")!.textContent).toBe("a.png");
  });
});

describe("timeline view", () => {
  it("draws lanes and rows, and selecting a row highlights its bar", () => {
    const m = fakeModel({
      columns: ["track", "label"],
      rows: [{ track: 0, label: "a.jpg" }, { track: 1, label: "Lo-fi" }],
      tracks: [
        { index: 0, name: "Video", type: "video", segments: [{ row: 0, start: 0, end: 5000, label: "a.jpg", kind: "image" }] },
        { index: 1, name: "BGM", type: "audio", segments: [{ row: 1, start: 0, end: 10000, label: "Lo-fi", kind: "audio" }] },
      ],
      duration: 10000,
      summary: "Timeline (2 tracks)",
      selected: -1,
      total_rows: 2,
    });
    const el = document.createElement("div");
    timeline.render({ model: m.model, el });
    expect(el.querySelectorAll(".nemo-bar")).toHaveLength(2);
    expect((el.querySelector(".nemo-type-video") as HTMLElement).style.width).toBe("50%");
    (el.querySelectorAll("tbody tr")[1] as HTMLElement).click();
    expect(m.traits.selected).toBe(1);
    expect(m.saved).toEqual(["save"]);
    expect(el.querySelector(".nemo-bar.nemo-selected")!.getAttribute("data-row")).toBe("1");
  });
});

describe("export view", () => {
  it("exports, shows the phases and plays the direct URL", async () => {
    const m = fakeModel({ qualities: ["high", "low"], quality: "high", job: null, jobs: [], video_url: "", local_port: 0, local_path: "", video_size: 0, cap: 100 });
    const el = document.createElement("div");
    exportView.render({ model: m.model, el });
    (el.querySelector(".nemo-primary") as HTMLButtonElement).click();
    expect(m.sent.at(-1)!.content).toMatchObject({ kind: "export", quality: "high" });
    m.model.set("job", { id: "render_1", status: "processing", percent: 40 });
    expect(el.querySelector(".nemo-step.nemo-on")!.textContent).toBe("processing");
    m.traits.video_url = "http://127.0.0.1:9/r.mp4";
    m.model.set("job", { id: "render_1", status: "completed", percent: 100, path: "/tmp/r.mp4" });
    await tick(0);
    expect(el.querySelector("video")!.getAttribute("src")).toBe("http://127.0.0.1:9/r.mp4");
    expect(el.querySelector("a[download]")!.getAttribute("href")).toBe("http://127.0.0.1:9/r.mp4");
  });

  it("shows Cancel only while the render runs, and asks the kernel to cancel", async () => {
    const m = fakeModel({ qualities: ["high"], quality: "high", job: null, jobs: [], video_url: "", local_port: 0, local_path: "", video_size: 0, cap: 100 });
    const el = document.createElement("div");
    exportView.render({ model: m.model, el });
    const cancel = [...el.querySelectorAll("button")].find((b) => b.textContent === "Cancel") as HTMLButtonElement;
    expect(cancel.hidden).toBe(true);
    m.model.set("job", { id: "render_1", status: "processing", percent: 40 });
    expect(cancel.hidden).toBe(false);
    cancel.click();
    expect(m.sent.at(-1)!.content).toMatchObject({ kind: "cancel" });
    expect(cancel.disabled).toBe(true);
    m.answer("cancel", { job: { id: "render_1", status: "cancelled" } });
    m.model.set("job", { id: "render_1", status: "cancelled", percent: 40, error: "cancelled by the user" });
    await tick(0);
    expect(cancel.hidden).toBe(true);
    expect(el.textContent).toContain("Cancelled.");
    expect(el.querySelector(".nemo-error")).toBeNull();
    expect((el.querySelector(".nemo-primary") as HTMLButtonElement).disabled).toBe(false);
  });

  it("streams through the channel when there is no URL, and refuses past the cap", async () => {
    const m = fakeModel({ qualities: ["high"], quality: "high", job: null, jobs: [], video_url: "", local_port: 0, local_path: "", video_size: 6, cap: 100 });
    const el = document.createElement("div");
    exportView.render({ model: m.model, el });
    m.model.set("job", { id: "render_1", status: "completed", percent: 100, path: "/tmp/r.mp4" });
    await tick(0);
    const req = m.sent.at(-1)!.content;
    expect(req).toMatchObject({ kind: "fetch", job: "render_1" });
    m.fromKernel({ kind: "video_chunk", fetch: req.fetch, seq: 0, offset: 0, total: 6 }, [new DataView(new Uint8Array([1, 2, 3]).buffer)]);
    m.fromKernel({ kind: "video_chunk", fetch: req.fetch, seq: 1, offset: 3, total: 6 }, [new DataView(new Uint8Array([4, 5, 6]).buffer)]);
    m.answer("fetch", { total: 6 });
    await tick(10);
    expect(el.querySelector("video")!.getAttribute("src")).toMatch(/^blob:/);

    const big = fakeModel({ qualities: ["high"], quality: "high", job: null, jobs: [], video_url: "", local_port: 0, local_path: "", video_size: 500, cap: 100 });
    const el2 = document.createElement("div");
    exportView.render({ model: big.model, el: el2 });
    big.model.set("job", { id: "r2", status: "completed", percent: 100, path: "/tmp/big.mp4" });
    await tick(0);
    expect(big.sent.find((s) => s.content.kind === "fetch")).toBeUndefined();
    expect(el2.textContent).toContain("over the");
    expect(el2.textContent).toContain("/tmp/big.mp4");
  });
});

describe("timeline editing", () => {
  const traits = () => ({
    columns: ["track", "track_type", "start", "duration", "text"],
    rows: [{ track: 0, track_type: "video", start: 0, duration: 5000, text: null }, { track: 1, track_type: "text", start: 0, duration: 3000, text: "Hi" }],
    refs: ["seg_1", "seg_2"],
    tracks: [
      { index: 0, name: "Video", type: "video", segments: [{ row: 0, start: 0, end: 5000, label: "a.jpg", kind: "image" }] },
      { index: 1, name: "Subtitles", type: "text", segments: [{ row: 1, start: 0, end: 3000, label: "Hi", kind: "subtitle" }] },
    ],
    duration: 10000, summary: "Timeline", selected: -1, total_rows: 2, edit_count: 0, can_redo: false, notice: "",
  });
  const key = (el: Element, k: string, extra: KeyboardEventInit = {}) =>
    el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, ...extra }));

  it("edits a text cell on double-click and Enter; Escape cancels; a refusal stays in place", async () => {
    const m = fakeModel(traits());
    const el = document.createElement("div");
    timeline.render({ model: m.model, el });
    const td = el.querySelector('tr[data-row="1"] td[data-col="text"]') as HTMLElement;
    td.dispatchEvent(new MouseEvent("dblclick", { bubbles: true }));
    const input = td.querySelector("input") as HTMLInputElement;
    input.value = "Bye";
    key(input, "Enter");
    expect(m.sent.at(-1)!.content).toMatchObject({ kind: "edit", op: "text", ref: "seg_2", value: "Bye" });
    const req = m.sent.at(-1)!.content;
    m.fromKernel({ kind: "reply", id: req.id, ok: false, error: { type: "DraftError", message: "too long" } });
    await tick(0);
    expect(input.classList.contains("nemo-invalid")).toBe(true);
    expect(el.querySelector(".nemo-edit-status")!.textContent).toContain("too long");
    key(input, "Escape");
    expect(el.querySelector('tr[data-row="1"] td[data-col="text"]')!.textContent).toBe("Hi");
    // a media row's text is not editable
    expect(el.querySelector('tr[data-row="0"] td[data-col="text"]')!.hasAttribute("data-edit")).toBe(false);
  });

  it("edits from the keyboard: Enter on a row, arrows pick the cell, Delete, Ctrl+Z", () => {
    const m = fakeModel(traits());
    const el = document.createElement("div");
    timeline.render({ model: m.model, el });
    const row = el.querySelector('tr[data-row="0"]') as HTMLElement;
    key(row, "ArrowRight");
    key(row, "Enter");
    const input = row.querySelector("input") as HTMLInputElement;
    expect(input.getAttribute("aria-label")).toBe("duration");
    input.value = "4s";
    key(input, "Enter");
    expect(m.sent.at(-1)!.content).toMatchObject({ op: "duration", ref: "seg_1", value: "4s" });
    // Tab in an unchanged editor walks to the row's next editable cell (the column stays chosen)
    key(el.querySelector('tr[data-row="1"]')!, "Enter");
    expect(el.querySelector('tr[data-row="1"] input')!.getAttribute("aria-label")).toBe("duration");
    key(el.querySelector('tr[data-row="1"] input')!, "Tab");
    expect(el.querySelector('tr[data-row="1"] input')!.getAttribute("aria-label")).toBe("text");
    key(el.querySelector('tr[data-row="1"] input')!, "Escape");
    key(el.querySelector('tr[data-row="1"]')!, "Delete");
    expect(m.sent.at(-1)!.content).toMatchObject({ op: "delete", ref: "seg_2" });
    key(el.querySelector('tr[data-row="1"]')!, "z", { ctrlKey: true });
    expect(m.sent.at(-1)!.content).toMatchObject({ op: "undo" });
  });
});
