import { describe, expect, it } from "vitest";
import { ChatStore } from "../chat";
import { ChunkCollector, phase } from "../export";
import { channelFor, type Model } from "../lib/protocol";
import { dragged, ticks } from "../timeline";
import { sizes, BUDGET } from "../scripts/size.mjs";

/** A model double: traits in a map, sent messages recorded, kernel messages injected. */
function fakeModel(traits: Record<string, unknown>) {
  const handlers = new Map<string, Set<(...a: any[]) => void>>();
  const sent: any[] = [];
  const model: Model = {
    get: (k) => traits[k],
    set: (k, v) => {
      traits[k] = v;
      for (const h of handlers.get(`change:${k}`) ?? []) h();
    },
    save_changes: () => undefined,
    on: (e, cb) => {
      if (!handlers.has(e)) handlers.set(e, new Set());
      handlers.get(e)!.add(cb);
    },
    off: (e, cb) => void handlers.get(e)?.delete(cb!),
    send: (content) => void sent.push(content),
  };
  const fromKernel = (msg: any, buffers: DataView[] = []) => {
    for (const h of handlers.get("msg:custom") ?? []) h(msg, buffers);
  };
  return { model, sent, fromKernel, traits };
}

describe("ChatStore", () => {
  it("builds the reply from deltas and keeps it on end without a resend", () => {
    const { model, sent, traits } = fakeModel({ transcript: [{ role: "user", text: "hi", route: "chat" }] });
    const store = new ChatStore(model);
    store.handle({ kind: "delta", turn: 1, offset: 0, text: "", activity: "" });
    store.handle({ kind: "delta", turn: 1, offset: 0, text: "Hel" });
    store.handle({ kind: "delta", turn: 1, offset: 3, text: "lo 城市", activity: "working: add_title" });
    expect(store.live?.text).toBe("Hello 城市");
    expect(store.live?.activity).toBe("working: add_title");
    store.handle({ kind: "end", turn: 1, length: 8, route: "chat" });
    expect(store.live).toBeNull();
    expect(traits.transcript).toEqual([
      { role: "user", text: "hi", route: "chat" },
      { role: "assistant", text: "Hello 城市", route: "chat" },
    ]);
    expect(sent).toEqual([]);
  });

  it("two views of one model store each entry once, without asking again", () => {
    const { model, sent, traits } = fakeModel({ transcript: [] });
    const a = new ChatStore(model);
    const b = new ChatStore(model);
    for (const msg of [
      { kind: "append", index: 0, entry: { role: "user", text: "q", route: "chat" } },
      { kind: "delta", turn: 1, offset: 0, text: "answer" },
      { kind: "end", turn: 1, length: 6, route: "chat" },
    ]) {
      a.handle(msg);
      b.handle(msg);
    }
    expect(traits.transcript).toEqual([
      { role: "user", text: "q", route: "chat" },
      { role: "assistant", text: "answer", route: "chat" },
    ]);
    expect(a.live).toBeNull();
    expect(b.live).toBeNull();
    expect(sent).toEqual([]);
  });

  it("asks the kernel for the text when a delta was lost", () => {
    const { model, sent } = fakeModel({ transcript: [] });
    channelFor(model);
    const store = new ChatStore(model);
    store.handle({ kind: "delta", turn: 0, offset: 5, text: "late" });
    expect(sent.map((m) => m.kind)).toEqual(["ready"]);
    expect(sent[0].have).toBe(0);
  });

  it("replaces the text when the final differs from the deltas", () => {
    const { model } = fakeModel({ transcript: [] });
    const store = new ChatStore(model);
    store.handle({ kind: "delta", turn: 0, offset: 0, text: "Helo" });
    store.handle({ kind: "delta", turn: 0, offset: 5, text: "!", replace: "Hello" });
    expect(store.live?.text).toBe("Hello!");
  });

  it("applies a sync reply: missing entries and the live snapshot", async () => {
    const { model, sent, fromKernel, traits } = fakeModel({ transcript: [] });
    const store = new ChatStore(model);
    const done = store.sync();
    fromKernel({ kind: "reply", id: sent[0].id, ok: true, missing: [{ role: "user", text: "q" }], live: { turn: 1, text: "partial", activity: "", notice: "" } });
    await done;
    expect((traits.transcript as unknown[]).length).toBe(1);
    store.handle({ kind: "delta", turn: 1, offset: 7, text: " more" });
    expect(store.live?.text).toBe("partial more");
  });
});

describe("export helpers", () => {
  it("collects chunks in order only", () => {
    const c = new ChunkCollector();
    expect(c.add(0, new DataView(new Uint8Array([1, 2]).buffer))).toBe(true);
    expect(c.add(5, new DataView(new Uint8Array([9]).buffer))).toBe(false);
    expect(c.add(2, new DataView(new Uint8Array([3]).buffer))).toBe(true);
    expect(c.received).toBe(3);
    expect(c.blob().size).toBe(3);
  });

  it.each([
    [null, "idle"],
    [{ id: "r", status: "processing", percent: 40 }, "processing"],
    [{ id: "r", status: "completed", percent: 100 }, "download"],
    [{ id: "r", status: "completed", percent: 100, path: "/tmp/x.mp4" }, "completed"],
  ])("phase of %o", (job, want) => {
    expect(phase(job)).toBe(want);
  });
});

describe("timeline ruler", () => {
  it("uses round steps", () => {
    expect(ticks(10_000)).toEqual([0, 2000, 4000, 6000, 8000, 10000]);
    expect(ticks(0)).toEqual([0]);
  });
});

describe("bundle budget", () => {
  it("keeps every widget's built files under 60 KB together", () => {
    const all = sizes();
    expect(all.map((f: { file: string }) => f.file).sort()).toEqual(["chat.js", "export.js", "styles.css", "timeline.js", "upload.js"]);
    expect(all.reduce((n: number, f: { bytes: number }) => n + f.bytes, 0)).toBeLessThanOrEqual(BUDGET);
  });
});

describe("upload thumbnails", () => {
  it("uses a loopback media URL only from a loopback page", async () => {
    const { reachable } = await import("../upload");
    expect(reachable("http://127.0.0.1:8123/media/a.png", "hub.example.org")).toBe(false);
    expect(reachable("http://localhost:8123/a.png", "hub.example.org")).toBe(false);
    expect(reachable("http://127.0.0.1:8123/a.png", "localhost")).toBe(true);
    expect(reachable("https://cdn.example.org/a.png", "hub.example.org")).toBe(true);
    expect(reachable("javascript:alert(1)", "localhost")).toBe(false);
  });
});

describe("timeline bar drags", () => {
  it("moves by the body, trims by an edge, snaps to 10 ms and never goes before 0 or inside out", () => {
    expect(dragged("m", 1000, 3000, 504)).toEqual({ start: 1500, end: 3500 });
    expect(dragged("m", 1000, 3000, -5000)).toEqual({ start: 0, end: 2000 });
    expect(dragged("l", 1000, 3000, 996)).toEqual({ start: 2000, end: 3000 });
    expect(dragged("l", 1000, 3000, 9000)).toEqual({ start: 2990, end: 3000 });
    expect(dragged("r", 1000, 3000, -5000)).toEqual({ start: 1000, end: 1010 });
  });
});
