import { describe, expect, it } from "vitest";
import { Coalescer, StreamText, type Scheduler } from "../lib/coalesce";

/** A manual clock and scheduler: time moves only when the test says so. */
function fakeTime() {
  let now = 0;
  const queue: Array<{ at: number; cb: () => void; live: boolean }> = [];
  const schedule: Scheduler = (cb, delay) => {
    const item = { at: now + Math.max(0, delay), cb, live: true };
    queue.push(item);
    return () => {
      item.live = false;
    };
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = queue.filter((q) => q.live && q.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      now = due.at;
      due.cb();
    }
    now = end;
  };
  return { now: () => now, schedule, advance };
}

describe("Coalescer", () => {
  it("joins tokens pushed within one frame into one flush", () => {
    const t = fakeTime();
    const out: string[] = [];
    const c = new Coalescer((s) => out.push(s), 30, t.now, t.schedule);
    for (const tok of ["He", "llo", ", ", "world"]) c.push(tok);
    expect(out).toEqual([]);
    t.advance(1);
    expect(out).toEqual(["Hello, world"]);
  });

  it("never flushes more than 30 times a second, and loses nothing", () => {
    const t = fakeTime();
    const out: Array<{ at: number; text: string }> = [];
    const c = new Coalescer((s) => out.push({ at: t.now(), text: s }), 30, t.now, t.schedule);
    let sent = "";
    for (let i = 0; i < 3000; i++) {
      const tok = `t${i} `;
      sent += tok;
      c.push(tok);
      t.advance(1); // a token per millisecond: 1,000 tokens a second
    }
    t.advance(100);
    expect(out.map((o) => o.text).join("")).toBe(sent);
    for (let i = 1; i < out.length; i++) expect(out[i].at - out[i - 1].at).toBeGreaterThanOrEqual(1000 / 30 - 1e-9);
    expect(out.length).toBeLessThanOrEqual(Math.ceil((3000 + 100) / (1000 / 30)) + 1);
    expect(out.length).toBeGreaterThan(50);
  });

  it("drainNow flushes at once and dispose drops what waits", () => {
    const t = fakeTime();
    const out: string[] = [];
    const c = new Coalescer((s) => out.push(s), 30, t.now, t.schedule);
    c.push("a");
    c.drainNow();
    expect(out).toEqual(["a"]);
    c.push("b");
    expect(c.pending).toBe(true);
    c.dispose();
    t.advance(1000);
    expect(out).toEqual(["a"]);
  });
});

describe("StreamText", () => {
  it("appends in-order deltas, skips repeats and reports gaps", () => {
    const s = new StreamText();
    expect(s.apply(0, "Hel")).toBe("ok");
    expect(s.apply(3, "lo")).toBe("ok");
    expect(s.apply(0, "Hel")).toBe("dup");
    expect(s.apply(3, "lo wor")).toBe("ok"); // overlapping: only the new part is kept
    expect(s.text).toBe("Hello wor");
    expect(s.apply(20, "x")).toBe("gap");
    expect(s.text).toBe("Hello wor");
  });
});
