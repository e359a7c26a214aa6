// Streamed text arrives token by token; the DOM is redrawn at most `maxPerSecond` times a second.

/** Schedules a callback (requestAnimationFrame in a page, a timer elsewhere); returns a cancel. */
export type Scheduler = (cb: () => void, delayMs: number) => () => void;

/** The default scheduler: a timer for the wait, then the next animation frame when there is one. */
export const frameScheduler: Scheduler = (cb, delayMs) => {
  let raf = 0;
  const timer = setTimeout(() => {
    if (typeof requestAnimationFrame === "function") raf = requestAnimationFrame(() => cb());
    else cb();
  }, Math.max(0, delayMs));
  return () => {
    clearTimeout(timer);
    if (raf && typeof cancelAnimationFrame === "function") cancelAnimationFrame(raf);
  };
};

/** Coalesces redraw requests: `run` is called at most `maxPerSecond` times a second, once after
 * any number of requests made while it waited. */
export class Coalescer {
  private lastRun = -Infinity;
  private cancel: (() => void) | null = null;
  private readonly interval: number;

  constructor(
    private readonly run: () => void,
    maxPerSecond = 30,
    private readonly now: () => number = () => performance.now(),
    private readonly schedule: Scheduler = frameScheduler,
  ) {
    this.interval = 1000 / maxPerSecond;
  }

  /** Ask for a run at the next allowed moment. */
  request(): void {
    if (this.cancel) return;
    const wait = this.lastRun + this.interval - this.now();
    this.cancel = this.schedule(() => {
      this.cancel = null;
      this.lastRun = this.now();
      this.run();
    }, wait);
  }

  /** Drop a run that waits (the view was removed). */
  dispose(): void {
    if (this.cancel) this.cancel();
    this.cancel = null;
  }
}

/** The text of one streamed turn, rebuilt from deltas that carry their offset. */
export class StreamText {
  text = "";

  /**
   * Apply a delta that starts at `offset`. Returns "ok", "dup" (already had it) or "gap" (a
   * message was lost: the caller asks the kernel for the whole text again).
   */
  apply(offset: number, delta: string): "ok" | "dup" | "gap" {
    const have = this.text.length;
    if (offset > have) return "gap";
    if (offset + delta.length <= have) return "dup";
    this.text += delta.slice(have - offset);
    return "ok";
  }

  /** Replace the whole text (a snapshot or the final text). */
  reset(text: string): void {
    this.text = text;
  }
}
