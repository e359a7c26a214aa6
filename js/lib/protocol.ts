// The kernel <-> browser message protocol: every custom message carries `kind` and `id`;
// answers carry the id of the request; errors come back as data, never as exceptions.
import { fill } from "./text";

/** The part of anywidget's model that the views use. */
export interface Model {
  get(name: string): any;
  set(name: string, value: unknown): void;
  save_changes(): void;
  on(event: string, cb: (...args: any[]) => void): void;
  off(event: string, cb?: (...args: any[]) => void): void;
  send(content: unknown, callbacks?: unknown, buffers?: ArrayBuffer[] | ArrayBufferView[]): void;
}

/** A message from the kernel. */
export interface Msg {
  kind: string;
  id?: string;
  [key: string]: any;
}

/** An error sent back as data: `type` is the Python class name. */
export interface WireError {
  type: string;
  message: string;
  hint?: string;
}

/** A reply to a request. */
export interface Reply extends Msg {
  kind: "reply";
  id: string;
  ok: boolean;
  error?: WireError;
}

/** Thrown (as a rejection) when the kernel answered with an error. */
export class RequestError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.hint ? `${wire.message} — ${wire.hint}` : wire.message);
  }
}

/** No answer came in time (a lost message, or a kernel busy with a long cell). */
export class TimeoutError extends Error {
  constructor(kind: string, ms: number, model?: Model) {
    const fields = { kind, seconds: Math.round(ms / 1000) };
    const label = (model?.get("labels") as Record<string, string> | undefined)?.["common.timeout"];
    super(label ? fill(label, fields) : `no answer to ${kind} within ${fields.seconds} s`);
  }
}

let counter = 0;

/** A fresh request id, unique within this page. */
export function newId(prefix = "r"): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36)}`;
}

type Handler = (msg: Msg, buffers: DataView[]) => void;

/** One channel per model: replies resolve requests, other messages go to listeners. */
export class Channel {
  private pending = new Map<string, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private listeners = new Set<Handler>();

  constructor(readonly model: Model) {
    model.on("msg:custom", (msg: Msg, buffers?: DataView[]) => this.dispatch(msg, buffers ?? []));
  }

  /** Send a request and resolve with the kernel's answer (reject with RequestError on ok=false). */
  request(
    kind: string,
    body: Record<string, unknown> = {},
    buffers?: ArrayBuffer[],
    timeoutMs = 0,
  ): Promise<Reply> {
    const id = newId();
    return new Promise<Reply>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = <T>(f: (v: T) => void) => (v: T) => {
        if (timer) clearTimeout(timer);
        f(v);
      };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject) });
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new TimeoutError(kind, timeoutMs, this.model));
        }, timeoutMs);
      }
      this.model.send({ kind, id, ...body }, undefined, buffers);
    });
  }

  /** Send a message that expects no answer. */
  post(kind: string, body: Record<string, unknown> = {}): void {
    this.model.send({ kind, id: newId(), ...body });
  }

  /** Listen to every message that is not a reply; returns the cleanup. */
  listen(handler: Handler): () => void {
    this.listeners.add(handler);
    return () => this.listeners.delete(handler);
  }

  private dispatch(msg: Msg, buffers: DataView[]): void {
    if (msg && msg.kind === "reply" && typeof msg.id === "string") {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      const reply = msg as Reply;
      if (reply.ok) p.resolve(reply);
      else p.reject(new RequestError(reply.error ?? { type: "NemoError", message: "failed" }));
      return;
    }
    for (const h of this.listeners) h(msg, buffers);
  }
}

const channels = new WeakMap<Model, Channel>();

/** The one channel of `model` (shared by every view of it). */
export function channelFor(model: Model): Channel {
  let ch = channels.get(model);
  if (!ch) {
    ch = new Channel(model);
    channels.set(model, ch);
  }
  return ch;
}
