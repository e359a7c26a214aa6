// The chat cell: the transcript (a trait), the live reply (appended deltas with their offset,
// redrawn at most 30 times a second), a quiet activity line, notices and routed-action cards.
import { Coalescer, StreamText } from "./lib/coalesce";
import { clear, errorBox, h } from "./lib/dom";
import { renderMarkdown } from "./lib/markdown";
import { channelFor, type Model, type Msg } from "./lib/protocol";
import { t } from "./lib/text";

interface Entry {
  role: "user" | "assistant";
  text: string;
  route?: string;
  offer?: string;
  mark?: string; // a reply replayed from the notebook's record: "replayed · no credits spent"
  stopped?: boolean;
}

interface Live {
  turn: number;
  text: string;
  activity: string;
  notice: string;
}

type Listener = () => void;

function sameEntry(a: Entry | undefined, b: Entry): boolean {
  return !!a && a.role === b.role && a.text === b.text && (a.route ?? "chat") === (b.route ?? "chat");
}

/** The state of one front-end model, shared by all its views. */
export class ChatStore {
  live: Live | null = null;
  private stream = new StreamText();
  private listeners = new Set<Listener>();
  private syncing = false;

  constructor(private readonly model: Model) {}

  get transcript(): Entry[] {
    return (this.model.get("transcript") as Entry[]) ?? [];
  }

  /** Ask the kernel for what this front end misses; streams flow only after this. */
  async sync(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const have = this.transcript.length;
      const r = await channelFor(this.model).request("ready", { have });
      if (Array.isArray(r.transcript)) this.setTranscript(r.transcript as Entry[]);
      else if (Array.isArray(r.missing) && r.missing.length) this.setTranscript([...this.transcript, ...(r.missing as Entry[])]);
      this.live = r.live ? { ...(r.live as Live) } : null;
      this.stream.reset(this.live?.text ?? "");
      this.emit();
    } finally {
      this.syncing = false;
    }
  }

  /** Apply one kernel message. */
  handle(msg: Msg): void {
    switch (msg.kind) {
      case "append": {
        // Each view has its own store (anywidget gives every view its own model proxy): the
        // first one to see a message updates the shared model, the others find it done.
        if (msg.index === this.transcript.length - 1 && sameEntry(this.transcript[msg.index], msg.entry)) break;
        if (msg.index !== this.transcript.length) return void this.sync();
        this.setTranscript([...this.transcript, msg.entry as Entry]);
        break;
      }
      case "delta": {
        if (!this.live || this.live.turn !== msg.turn) {
          // The first message of a reply opens it; anything else means this view missed some.
          if (msg.offset !== 0 || msg.turn !== this.transcript.length || msg.replace !== undefined) return void this.sync();
          this.live = { turn: msg.turn, text: "", activity: "", notice: "" };
          this.stream.reset("");
        }
        if (typeof msg.replace === "string") this.stream.reset(msg.replace);
        if (this.stream.apply(msg.offset, msg.text ?? "") === "gap") return void this.sync();
        this.live.text = this.stream.text;
        if (typeof msg.activity === "string") this.live.activity = msg.activity;
        if (typeof msg.notice === "string") this.live.notice = msg.notice;
        break;
      }
      case "end": {
        const live = this.live;
        if (!live || live.turn !== msg.turn || live.text.length !== msg.length) return void this.sync();
        if (msg.turn === this.transcript.length - 1 && this.transcript[msg.turn].text === live.text) {
          this.live = null; // another view of this model stored it already
          break;
        }
        if (msg.turn !== this.transcript.length) return void this.sync();
        // The kernel stored the same entry without sending it again: the deltas already carried it.
        const entry: Entry = { role: "assistant", text: live.text, route: msg.route ?? "chat" };
        if (msg.offer) entry.offer = msg.offer;
        if (msg.mark) entry.mark = msg.mark;
        if (msg.stopped) entry.stopped = true;
        this.setTranscript([...this.transcript, entry]);
        this.live = null;
        break;
      }
      default:
        return;
    }
    this.emit();
  }

  on(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private setTranscript(t: Entry[]): void {
    // Local only (no save_changes): the kernel holds the same list already.
    this.model.set("transcript", t);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

const stores = new WeakMap<Model, ChatStore>();

function storeFor(model: Model): ChatStore {
  let s = stores.get(model);
  if (!s) {
    const store = new ChatStore(model);
    stores.set(model, store);
    channelFor(model).listen((msg) => store.handle(msg));
    s = store;
  }
  return s;
}

const ROUTES = new Set(["error", "credits", "status", "export", "upload"]);

/** Copy `text`: the async clipboard where the page may use it, else a hidden textarea. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // no clipboard API (plain http on a remote hub) or permission refused: the old way
  }
  const area = h("textarea", { class: "nemo-offscreen", "aria-hidden": "true" });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

function copyButton(model: Model, source: string): HTMLElement {
  // The label is drawn by CSS from data-label: selecting a reply's text never picks it up.
  const idle = t(model, "chat.copy");
  const button = h("button", { class: "nemo-btn nemo-small nemo-copy", type: "button", title: idle, "aria-label": idle, "data-label": idle });
  button.addEventListener("click", async () => {
    const ok = await copyText(source);
    const shown = ok ? t(model, "chat.copied") : t(model, "chat.copy_failed");
    button.setAttribute("data-label", shown);
    button.classList.toggle("nemo-copied", ok);
    setTimeout(() => {
      button.setAttribute("data-label", idle);
      button.classList.remove("nemo-copied");
    }, 1500);
  });
  return button;
}

function entryNode(model: Model, e: Entry): HTMLElement {
  const route = e.route ?? "chat";
  const offer = e.offer ? h("div", { class: "nemo-muted nemo-offer", text: e.offer }) : null;
  if (e.role === "assistant" && route !== "chat") {
    return h("div", { class: "nemo-card", "data-route": route },
      h("div", { class: "nemo-card-title", text: ROUTES.has(route) ? t(model, `chat.route.${route}`) : route }),
      h("div", { class: "nemo-card-body", text: e.text }), offer, copyButton(model, e.text));
  }
  const body = h("div", { class: "nemo-msg-body" });
  if (e.role === "assistant") body.innerHTML = renderMarkdown(e.text);
  else body.textContent = e.text;
  const mark = e.mark ? h("div", { class: "nemo-muted nemo-mark", text: `🔁 ${e.mark}` }) : null;
  const copy = e.role === "assistant" ? copyButton(model, e.text) : null;
  return h("div", { class: `nemo-msg nemo-${e.role}${e.stopped ? " nemo-stopped" : ""}` }, body, offer, mark, copy);
}

const frame: (cb: () => void) => void = (cb) =>
  typeof requestAnimationFrame === "function" ? void requestAnimationFrame(cb) : void setTimeout(cb, 16);

/** Sticky scroll: follows new text while the user is at the bottom, stays put once they scroll
 * up, follows again when they are back at the bottom; at most one scroll per frame. */
export function stickyScroll(list: HTMLElement): () => void {
  let follow = true;
  let queued = false;
  let auto = -1; // where our own last scroll put the list
  const atBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight <= 8;
  list.addEventListener("scroll", () => {
    // Growth after our own scroll is not the user leaving the bottom; moving above it is.
    follow = atBottom() || (follow && list.scrollTop >= auto - 2);
  });
  list.addEventListener("wheel", (ev: WheelEvent) => {
    if (ev.deltaY < 0) follow = false;
  }, { passive: true });
  return () => {
    if (!follow || queued) return;
    queued = true;
    frame(() => {
      queued = false;
      if (!follow) return;
      list.scrollTop = list.scrollHeight;
      auto = list.scrollTop;
    });
  };
}

function render({ model, el }: { model: Model; el: HTMLElement }): () => void {
  const store = storeFor(model);
  const compact = Boolean(model.get("compact")); // `%%nemo`: the exchange only, no input
  const list = h("div", { class: "nemo-chat-list", role: "log", "aria-live": "polite" });
  const liveBody = h("div", { class: "nemo-msg-body" });
  const liveBox = h("div", { class: "nemo-msg nemo-assistant nemo-live" }, liveBody);
  const activity = h("div", { class: "nemo-activity" });
  const errors = h("div");
  const tips = h("div", { class: "nemo-suggestions" });
  const input = h("textarea", { class: "nemo-input", rows: 1, placeholder: model.get("placeholder") || t(model, "chat.placeholder") });
  const button = h("button", { class: "nemo-btn nemo-primary", type: "button", text: t(model, "chat.send") });
  const stop = h("button", { class: "nemo-btn nemo-stop", type: "button", text: t(model, "chat.stop") });
  el.classList.add("nemo-root", "nemo-chat");
  el.append(list, activity, errors);
  if (!compact) el.append(tips, h("div", { class: "nemo-row" }, input, button, stop));
  const keepDown = stickyScroll(list);

  let drawn = -1;
  const drawTranscript = () => {
    const t = store.transcript;
    if (t.length < drawn) {
      clear(list);
      drawn = 0;
    }
    for (let i = Math.max(drawn, 0); i < t.length; i++) list.append(entryNode(model, t[i]));
    drawn = t.length;
    list.append(liveBox);
  };
  const drawTips = () => {
    clear(tips);
    const items = (model.get("suggestions") as string[] | undefined) ?? [];
    tips.hidden = compact || !items.length || store.transcript.length > 0 || Boolean(model.get("busy"));
    if (tips.hidden) return;
    tips.append(h("span", { class: "nemo-muted", text: t(model, "chat.suggestions") }));
    for (const text of items) {
      tips.append(h("button", { class: "nemo-btn nemo-small nemo-suggestion", type: "button", text, onClick: () => void send(text) }));
    }
  };
  // Rendering Markdown of the whole live text is cheap at 30 Hz; per token it is not.
  const painter = new Coalescer(() => paint(), 30);
  const paint = () => {
    const live = store.live;
    liveBox.hidden = !live;
    liveBody.innerHTML = live ? renderMarkdown(live.text) || '<span class="nemo-dots">…</span>' : "";
    activity.textContent = live ? live.notice || live.activity : "";
    const busy = Boolean(model.get("busy"));
    button.disabled = busy;
    stop.hidden = !busy;
    drawTips();
    keepDown();
  };
  const onTranscript = () => {
    drawTranscript();
    paint();
  };
  const off = store.on(() => painter.request());
  model.on("change:transcript", onTranscript);
  model.on("change:busy", paint);
  model.on("change:suggestions", drawTips);

  const send = async (typed?: string) => {
    const text = (typed ?? input.value).trim();
    if (!text || model.get("busy")) return;
    clear(errors);
    if (typed === undefined) input.value = "";
    try {
      await channelFor(model).request("send", { text });
    } catch (err) {
      if (typed === undefined) input.value = text;
      errors.append(errorBox((err as Error).message));
    }
  };
  input.addEventListener("keydown", (ev: KeyboardEvent) => {
    // Enter that picks an IME candidate is not a send: Safari reports it after composition
    // ended, with keyCode 229 only.
    if (ev.isComposing || ev.keyCode === 229) return;
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      void send();
    }
  });
  button.addEventListener("click", () => void send());
  stop.addEventListener("click", () => {
    stop.disabled = true;
    channelFor(model).request("stop", {})
      .catch((err: Error) => errors.append(errorBox(err.message)))
      .finally(() => {
        stop.disabled = false;
      });
  });

  onTranscript();
  store.sync().catch((err: Error) => errors.append(errorBox(err.message)));
  return () => {
    off();
    painter.dispose();
    model.off("change:transcript", onTranscript);
    model.off("change:busy", paint);
    model.off("change:suggestions", drawTips);
  };
}

export default { render };
