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
  it("joins the requests made within one frame into one run", () => {
    const t = fakeTime();
    let runs = 0;
    const c = new Coalescer(() => runs++, 30, t.now, t.schedule);
    for (let i = 0; i < 4; i++) c.request();
    expect(runs).toBe(0);
    t.advance(1);
    expect(runs).toBe(1);
  });

  it("never runs more than 30 times a second, and runs after the last request", () => {
    const t = fakeTime();
    const at: number[] = [];
    const c = new Coalescer(() => at.push(t.now()), 30, t.now, t.schedule);
    let last = 0;
    for (let i = 0; i < 3000; i++) {
      c.request();
      last = t.now();
      t.advance(1); // a request per millisecond: 1,000 a second
    }
    t.advance(100);
    expect(at[at.length - 1]).toBeGreaterThanOrEqual(last);
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(1000 / 30 - 1e-9);
    expect(at.length).toBeLessThanOrEqual(Math.ceil((3000 + 100) / (1000 / 30)) + 1);
    expect(at.length).toBeGreaterThan(50);
  });

  it("dispose drops the run that waits", () => {
    const t = fakeTime();
    let runs = 0;
    const c = new Coalescer(() => runs++, 30, t.now, t.schedule);
    c.request();
    c.dispose();
    t.advance(1000);
    expect(runs).toBe(0);
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
