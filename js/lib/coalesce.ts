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

/** Collects appended text and flushes it in batches, never more often than `maxPerSecond`. */
export class Coalescer {
  private buffer: string[] = [];
  private lastFlush = -Infinity;
  private cancel: (() => void) | null = null;
  private readonly interval: number;

  constructor(
    private readonly flush: (text: string) => void,
    maxPerSecond = 30,
    private readonly now: () => number = () => performance.now(),
    private readonly schedule: Scheduler = frameScheduler,
  ) {
    this.interval = 1000 / maxPerSecond;
  }

  /** Queue `text`; it is flushed at the next allowed moment. */
  push(text: string): void {
    if (!text) return;
    this.buffer.push(text);
    if (this.cancel) return;
    const wait = this.lastFlush + this.interval - this.now();
    this.cancel = this.schedule(() => this.drain(), wait);
  }

  /** Flush what is queued now (end of the stream). */
  drainNow(): void {
    if (this.cancel) this.cancel();
    this.drain();
  }

  /** Drop what is queued (the view was removed). */
  dispose(): void {
    if (this.cancel) this.cancel();
    this.cancel = null;
    this.buffer = [];
  }

  /** True while text waits to be flushed. */
  get pending(): boolean {
    return this.buffer.length > 0;
  }

  private drain(): void {
    this.cancel = null;
    if (!this.buffer.length) return;
    const text = this.buffer.join("");
    this.buffer = [];
    this.lastFlush = this.now();
    this.flush(text);
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
