// The timeline: the DataFrame as a table plus track lanes (one row per track, segments as bars
// on a time ruler, coloured by type); selecting a row highlights its bar and back.
import { clear, clock, h } from "./lib/dom";
import type { Model } from "./lib/protocol";
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

/** Ruler ticks for a timeline of `duration` ms: about `target` round steps. */
export function ticks(duration: number, target = 8): number[] {
  if (duration <= 0) return [0];
  const steps = [100, 250, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000];
  const step = steps.find((s) => duration / s <= target) ?? Math.ceil(duration / target / 60000) * 60000;
  const out: number[] = [];
  for (let t = 0; t <= duration; t += step) out.push(t);
  return out;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(3);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function render({ model, el }: { model: Model; el: HTMLElement }): () => void {
  const summary = h("div", { class: "nemo-summary" });
  const lanes = h("div", { class: "nemo-lanes" });
  const table = h("table", { class: "nemo-table" });
  el.classList.add("nemo-root", "nemo-timeline");
  el.append(summary, lanes, h("div", { class: "nemo-table-wrap" }, table));

  const select = (row: number) => {
    model.set("selected", model.get("selected") === row ? -1 : row);
    model.save_changes();
  };

  const draw = () => {
    const duration = Math.max(1, Number(model.get("duration")) || 1);
    const tracks = (model.get("tracks") as Lane[]) ?? [];
    const columns = (model.get("columns") as string[]) ?? [];
    const rows = (model.get("rows") as Record<string, unknown>[]) ?? [];
    const selected = model.get("selected") as number;
    summary.textContent = model.get("summary") || t(model, "timeline.empty");

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
        bars.append(h("div", {
          class: `nemo-bar nemo-type-${lane.type.replace(/[^a-z0-9-]/gi, "")}${s.row === selected ? " nemo-selected" : ""}`,
          style: `left:${left}%;width:${width}%`,
          title: `${s.label} (${clock(s.start)}–${clock(s.end)})`,
          "data-row": s.row,
          onClick: () => select(s.row),
        }, h("span", { text: s.label })));
      }
      lanes.append(h("div", { class: "nemo-lane" }, h("div", { class: "nemo-lane-name", text: `${lane.index + 1}. ${lane.name}` }), bars));
    }

    clear(table);
    table.append(h("thead", {}, h("tr", {}, h("th", { text: t(model, "timeline.row") }), ...columns.map((c) => h("th", { text: c })))));
    const body = h("tbody");
    rows.forEach((r, i) => {
      body.append(h("tr", { class: i === selected ? "nemo-selected" : "", "data-row": i, onClick: () => select(i) },
        h("td", { class: "nemo-muted", text: String(i) }), ...columns.map((c) => h("td", { text: cell(r[c]) }))));
    });
    table.append(body);
  };

  const keys = ["rows", "columns", "tracks", "duration", "summary", "selected"];
  for (const k of keys) model.on(`change:${k}`, draw);
  draw();
  return () => {
    for (const k of keys) model.off(`change:${k}`, draw);
  };
}

export default { render };
