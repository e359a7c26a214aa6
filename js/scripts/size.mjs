// Fails when the built bundles of all widgets together pass the 60 KB (minified) budget.
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BUDGET = 60 * 1024;
const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "nemo_widgets", "static");

/** Sizes of the built .js and .css files, in bytes. */
export function sizes() {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".js") || f.endsWith(".css"))
    .map((f) => ({ file: f, bytes: statSync(join(dir, f)).size }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const all = sizes();
  const total = all.reduce((n, f) => n + f.bytes, 0);
  for (const f of all) console.log(`${f.file.padEnd(14)} ${(f.bytes / 1024).toFixed(1).padStart(6)} KB`);
  console.log(`${"total".padEnd(14)} ${(total / 1024).toFixed(1).padStart(6)} KB (budget ${BUDGET / 1024} KB)`);
  if (all.length === 0 || total > BUDGET) {
    console.error(all.length === 0 ? "no bundles built" : "over the bundle budget");
    process.exit(1);
  }
}
