// The UI strings: the kernel sends the ones a view shows, in the session's language, in the
// `labels` trait (`nemo_widgets._text`); `{name}` fields are filled here the same way.
import type { Model } from "./protocol";

export type Labels = Record<string, string>;
export type Fields = Record<string, string | number>;

/** Fill the `{name}` fields of `template` (unknown fields stay as they are). */
export function fill(template: string, fields: Fields = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in fields ? String(fields[k]) : m));
}

/** The string for `key` in the model's language; the key itself when the kernel sent none. */
export function t(model: Model, key: string, fields: Fields = {}): string {
  const labels = (model.get("labels") as Labels | undefined) ?? {};
  return fill(labels[key] ?? key, fields);
}
