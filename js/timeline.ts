// The timeline: the DataFrame as a table plus track lanes (one row per track, segments as bars
// on a time ruler, coloured by type); selecting a row highlights its bar and back. It edits the
// session's working draft: cells (double-click or Enter), bars (drag to move, drag an edge to
// trim), reorder, delete, undo/redo. It only sends intent (`edit` requests); the kernel's rules
// answer, and a refusal is shown where the edit was made, with its reason.
import { clear, clock, h } from "./lib/dom";
import { channelFor, type Model } from "./lib/protocol";
import { t } from "./lib/text";

interface Segment {
  row: number;
  start: number;
  end: number;
  label: string;
  kind: string;
}

interface Lane {
  index: number;
  name: string;
  type: string;
  segments: Segment[];
}

// the table columns a cell edit may change, and the edit each one asks for
const EDITABLE: Record<string, string> = { text: "text", label: "text", start: "start", duration: "duration", end: "end", volume: "volume" };
const EDGE_MS = 10; // drags snap to 10 ms

/** Ruler ticks for a timeline of `duration` ms: about `target` round steps. */
export function ticks(duration: number, target = 8): number[] {
  if (duration <= 0) return [0];
  const steps = [100, 250, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000];
  const step = steps.find((s) => duration / s <= target) ?? Math.ceil(duration / target / 60000) * 60000;
  const out: number[] = [];
  for (let t = 0; t <= duration; t += step) out.push(t);
  return out;
}

/** A bar drag: `dx` ms on a bar from `start` to `end`, by its body or an edge. */
export function dragged(mode: string, start: number, end: number, dx: number): { start: number; end: number } {
  const snap = (v: number) => Math.round(v / EDGE_MS) * EDGE_MS;
  if (mode === "l") return { start: Math.min(end - EDGE_MS, Math.max(0, snap(start + dx))), end };
  if (mode === "r") return { start, end: Math.max(start + EDGE_MS, snap(end + dx)) };
  const s = Math.max(0, snap(start + dx));
  return { start: s, end: s + end - start };
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(3);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function render({ model, el }: { model: Model; el: HTMLElement }): () => void {
  const ch = channelFor(model);
  const summary = h("div", { class: "nemo-summary" });
  const notice = h("div", { class: "nemo-notice", role: "status" });
  const status = h("div", { class: "nemo-edit-status", role: "alert" });
  const tools = h("div", { class: "nemo-row nemo-edit-tools" });
  const lanes = h("div", { class: "nemo-lanes" });
  const table = h("table", { class: "nemo-table" });
  el.classList.add("nemo-root", "nemo-timeline");
  // keys typed here are ours, not the notebook's (Enter, Escape, Delete, arrows)
  el.setAttribute("data-lm-suppress-shortcuts", "");
  el.append(summary, notice, tools, lanes, h("div", { class: "nemo-table-wrap" }, table), status);

  let active = 0; // the editable column a keyboard Enter edits (index into the row's cells)

  const refOf = (row: number): string => ((model.get("refs") as string[]) ?? [])[row] ?? "";
  const say = (text: string) => {
    status.textContent = text;
    status.classList.toggle("nemo-error", !!text);
  };
  const send = (op: string, body: Record<string, unknown> = {}): Promise<boolean> =>
    ch.request("edit", { op, ...body }, undefined, 30_000).then(
      () => (say(""), true),
      (e: Error) => (say(`${t(model, "timeline.refused")}: ${e.message}`), false),
    );
  const edit = (op: string, row: number, body: Record<string, unknown> = {}) => send(op, { ref: refOf(row), ...body });

  const select = (row: number) => {
    model.set("selected", model.get("selected") === row ? -1 : row);
    model.save_changes();
  };

  // where a row's segment sits among its track's segments in time, and how many there are
  const placeOf = (row: number): [number, number] => {
    for (const lane of (model.get("tracks") as Lane[]) ?? []) {
      const order = [...lane.segments].sort((a, b) => a.start - b.start);
      const at = order.findIndex((s) => s.row === row);
      if (at >= 0) return [at, order.length];
    }
    return [-1, 0];
  };
  const reorder = (row: number, step: number) => {
    const [at, n] = placeOf(row);
    if (at >= 0 && at + step >= 0 && at + step < n) void edit("reorder", row, { index: at + step });
  };

  const button = (text: string, onClick: () => void, title = "") => h("button", { class: "nemo-btn", type: "button", text, title, onClick });
  const selected = () => model.get("selected") as number;
  const drawTools = () => {
    clear(tools);
    const n = Number(model.get("edit_count")) || 0;
    const undo = button(t(model, "timeline.undo"), () => void send("undo"), "Ctrl+Z");
    undo.toggleAttribute("disabled", n === 0);
    const redo = button(t(model, "timeline.redo"), () => void send("redo"), "Ctrl+Shift+Z");
    redo.toggleAttribute("disabled", !model.get("can_redo"));
    const some = selected() >= 0;
    const del = button(t(model, "timeline.delete"), () => void edit("delete", selected()), "Delete");
    const earlier = button(t(model, "timeline.earlier"), () => reorder(selected(), -1), "Alt+↑");
    const later = button(t(model, "timeline.later"), () => reorder(selected(), 1), "Alt+↓");
    for (const b of [del, earlier, later]) b.toggleAttribute("disabled", !some);
    const discard = button(t(model, "timeline.discard"), () => void send("discard"));
    discard.toggleAttribute("disabled", n === 0);
    const count = h("span", { class: "nemo-muted", text: n ? t(model, "timeline.edits", { n }) : t(model, "timeline.no_edits") });
    tools.append(undo, redo, del, earlier, later, discard, count);
  };

  const drawNotice = () => {
    clear(notice);
    const text = model.get("notice") as string;
    if (text) notice.append(h("span", { text }), button(t(model, "timeline.dismiss"), () => void send("dismiss")));
  };

  // -- cell editing ------------------------------------------------------------------------------
  const openEditor = (td: HTMLElement, row: number, col: string) => {
    if (td.querySelector("input")) return;
    const before = td.textContent ?? "";
    const input = h("input", { class: "nemo-input nemo-cell-input", value: before, "aria-label": col });
    input.value = before;
    clear(td);
    td.append(input);
    input.focus();
    input.select();
    const cancel = () => {
      say("");
      draw();
      focusRowEl(row);
    };
    input.addEventListener("keydown", (ev: KeyboardEvent) => {
      ev.stopPropagation();
      if (ev.key === "Escape") {
        ev.preventDefault();
        cancel();
      } else if (ev.key === "Tab" && input.value === before) {
        // Tab walks the row's editable cells (arrow keys may belong to the notebook)
        ev.preventDefault();
        const tr = td.closest("tr") as HTMLElement;
        const cells = editableCells(tr);
        const next = cells[cells.indexOf(td) + (ev.shiftKey ? -1 : 1)];
        if (!next) return cancel();
        active = cells.indexOf(next);
        td.textContent = before;
        openEditor(next, row, next.dataset.col!);
      } else if (ev.key === "Enter" || ev.key === "Tab") {
        ev.preventDefault();
        if (input.value === before) return cancel();
        input.disabled = true;
        void edit(EDITABLE[col], row, { value: input.value }).then((ok) => {
          if (ok) return;
          input.disabled = false;
          input.classList.add("nemo-invalid");
          input.title = status.textContent ?? "";
          input.focus();
        });
      }
    });
  };

  const focusRowEl = (row: number) => {
    (table.querySelector(`tbody tr[data-row="${row}"]`) as HTMLElement | null)?.focus();
  };

  const editableCells = (tr: HTMLElement) => [...tr.querySelectorAll<HTMLElement>("td[data-edit]")];
  const rowKeys = (ev: KeyboardEvent, tr: HTMLElement, row: number) => {
    const cells = editableCells(tr);
    const key = ev.key;
    let handled = true;
    const td = cells[Math.min(active, cells.length - 1)];
    if (key === "Enter" && td) openEditor(td, row, td.dataset.col!);
    else if (key === "ArrowRight" || key === "ArrowLeft") {
      active = Math.max(0, Math.min(cells.length - 1, active + (key === "ArrowRight" ? 1 : -1)));
      cells.forEach((c, i) => c.classList.toggle("nemo-active", i === active));
    } else if (ev.altKey && (key === "ArrowUp" || key === "ArrowDown")) reorder(row, key === "ArrowUp" ? -1 : 1);
    else if (key === "ArrowDown" || key === "ArrowUp") ((key === "ArrowDown" ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null)?.focus();
    else if (key === "Delete" || key === "Backspace") void edit("delete", row);
    else if (key === " ") select(row);
    else handled = false;
    if (handled) ev.preventDefault();
  };

  el.addEventListener("keydown", (ev: KeyboardEvent) => {
    ev.stopPropagation(); // the notebook must not act on keys typed in the timeline
    if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "z") {
      ev.preventDefault();
      void send(ev.shiftKey ? "redo" : "undo");
    } else if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "y") {
      ev.preventDefault();
      void send("redo");
    }
  });

  // -- bar dragging ------------------------------------------------------------------------------
  const drag = (ev: PointerEvent, bar: HTMLElement, s: Segment, duration: number) => {
    if (ev.button !== 0) return;
    const target = ev.target as HTMLElement;
    const mode = target.classList.contains("nemo-handle-l") ? "l" : target.classList.contains("nemo-handle-r") ? "r" : "m";
    const width = (bar.parentElement as HTMLElement).getBoundingClientRect().width || 1;
    const x0 = ev.clientX;
    let moved = false;
    let now = { start: s.start, end: s.end };
    bar.setPointerCapture?.(ev.pointerId);
    const onMove = (e: PointerEvent) => {
      if (Math.abs(e.clientX - x0) > 3) moved = true;
      if (!moved) return;
      now = dragged(mode, s.start, s.end, ((e.clientX - x0) * duration) / width);
      bar.style.left = `${(100 * now.start) / duration}%`;
      bar.style.width = `${(100 * (now.end - now.start)) / duration}%`;
      bar.title = `${clock(now.start)}–${clock(now.end)}`;
    };
    const onUp = () => {
      bar.removeEventListener("pointermove", onMove);
      bar.removeEventListener("pointerup", onUp);
      bar.removeEventListener("pointercancel", onUp);
      if (!moved) return select(s.row);
      const body = mode === "m" ? { start: now.start } : { start: now.start, duration: now.end - now.start };
      void edit(mode === "m" ? "move" : "trim", s.row, body).then((ok) => ok || draw());
    };
    bar.addEventListener("pointermove", onMove);
    bar.addEventListener("pointerup", onUp);
    bar.addEventListener("pointercancel", onUp);
    ev.preventDefault();
  };

  const draw = () => {
    const duration = Math.max(1, Number(model.get("duration")) || 1);
    const tracks = (model.get("tracks") as Lane[]) ?? [];
    const columns = (model.get("columns") as string[]) ?? [];
    const rows = (model.get("rows") as Record<string, unknown>[]) ?? [];
    const sel = selected();
    summary.textContent = model.get("summary") || t(model, "timeline.empty");
    drawTools();
    drawNotice();

    clear(lanes);
    const ruler = h("div", { class: "nemo-ruler" });
    for (const ms of ticks(duration)) {
      ruler.append(h("span", { class: "nemo-tick", style: `left:${(100 * ms) / duration}%`, text: clock(ms) }));
    }
    lanes.append(h("div", { class: "nemo-lane" }, h("div", { class: "nemo-lane-name" }), ruler));
    for (const lane of tracks) {
      const bars = h("div", { class: "nemo-lane-bars" });
      for (const s of lane.segments) {
        const left = (100 * s.start) / duration;
        const width = Math.max(0.5, (100 * (s.end - s.start)) / duration);
        const bar = h("div", {
          class: `nemo-bar nemo-type-${lane.type.replace(/[^a-z0-9-]/gi, "")}${s.row === sel ? " nemo-selected" : ""}`,
          style: `left:${left}%;width:${width}%`,
          title: `${s.label} (${clock(s.start)}–${clock(s.end)})`,
          "data-row": s.row,
        }, h("span", { class: "nemo-handle nemo-handle-l" }), h("span", { text: s.label }), h("span", { class: "nemo-handle nemo-handle-r" }));
        bar.addEventListener("pointerdown", (ev: PointerEvent) => drag(ev, bar, s, duration));
        bars.append(bar);
      }
      lanes.append(h("div", { class: "nemo-lane" }, h("div", { class: "nemo-lane-name", text: `${lane.index + 1}. ${lane.name}` }), bars));
    }

    // a redraw (the kernel's answer to an edit) keeps the keyboard where it was, and only then
    const focused = (document.activeElement as HTMLElement | null)?.closest?.("tr[data-row]") as HTMLElement | null;
    const focusRow = focused && table.contains(focused) ? Number(focused.dataset.row) : -1;
    clear(table);
    table.append(h("thead", {}, h("tr", {}, h("th", { text: t(model, "timeline.row") }), ...columns.map((c) => h("th", { text: c })))));
    const body = h("tbody");
    rows.forEach((r, i) => {
      const isText = r.track_type === "text" || r.kind === "title" || r.kind === "subtitle";
      const cells = columns.map((c) => {
        const editable = c in EDITABLE && (EDITABLE[c] !== "text" || isText);
        return h("td", { text: cell(r[c]), "data-col": c, "data-edit": editable ? "1" : undefined });
      });
      const tr = h("tr", { class: i === sel ? "nemo-selected" : "", "data-row": i, tabindex: 0, onClick: () => select(i) },
        h("td", { class: "nemo-muted", text: String(i) }), ...cells);
      tr.addEventListener("keydown", (ev: KeyboardEvent) => {
        if (ev.target === tr) rowKeys(ev, tr, i);
      });
      tr.addEventListener("focus", () => {
        editableCells(tr).forEach((c, k) => c.classList.toggle("nemo-active", k === active));
      });
      body.append(tr);
    });
    table.append(body);
    if (focusRow >= 0) focusRowEl(Math.min(focusRow, rows.length - 1));
  };

  // selecting only moves the highlight: a redraw between the two clicks of a double-click
  // would take the cell away from under the pointer
  const mark = () => {
    const sel = selected();
    for (const n of el.querySelectorAll<HTMLElement>("tbody tr[data-row], .nemo-bar")) {
      n.classList.toggle("nemo-selected", Number(n.dataset.row) === sel);
    }
    drawTools();
  };
  table.addEventListener("dblclick", (ev: MouseEvent) => {
    const td = (ev.target as HTMLElement).closest?.("td[data-edit]") as HTMLElement | null;
    const tr = td?.closest("tr[data-row]") as HTMLElement | null;
    if (td && tr) openEditor(td, Number(tr.dataset.row), td.dataset.col!);
  });

  const keys = ["rows", "columns", "tracks", "duration", "summary", "refs", "edit_count", "can_redo", "notice", "labels"];
  for (const k of keys) model.on(`change:${k}`, draw);
  model.on("change:selected", mark);
  draw();
  return () => {
    for (const k of keys) model.off(`change:${k}`, draw);
    model.off("change:selected", mark);
  };
}

export default { render };
