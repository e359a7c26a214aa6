// The Markdown renderer of chat replies (the ChatCell and `%%nemo`): everything is escaped first,
// then a fixed set of constructs becomes tags — paragraphs, headings, fenced code, blockquotes,
// nested lists, pipe tables, rules, **strong**, *em*, ~~del~~, `code`, [links](https://…) and
// bare or <autolinks>. No raw HTML passes and links are http(s) only, so the output stays inside
// a small whitelist of tags and attributes (js/test/markdown.test.ts checks it on random input).
// Our own ~4 KB instead of marked + DOMPurify (~55 KB): the chat bundle travels with every cell.

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const HOLE = "\u0000"; // brackets the index of a finished span; removed from the input first

/** Escape text for use inside HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESC[c]);
}

function anchor(url: string, label: string): string {
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${label}</a>`;
}

/** The end of a URL starting at `i`: balanced parentheses stay in, trailing punctuation out. */
function urlEnd(s: string, i: number, inParens: boolean): number {
  let depth = 0;
  let j = i;
  for (; j < s.length; j++) {
    const c = s[j];
    if (/\s/.test(c) || c === "<" || c === ">" || c === '"' || c === "`") break;
    if (c === "(") depth++;
    else if (c === ")") {
      if (depth === 0) break;
      depth--;
    }
  }
  if (!inParens) while (j > i && /[.,:;!?'*_~]/.test(s[j - 1])) j--;
  return j;
}

const URL_START = /^https?:\/\/[^\s<>"`()]/;

/** Inline spans of one line: code, links and autolinks become holes, then emphasis. */
function inline(text: string, links = true): string {
  const spans: string[] = [];
  const hole = (html: string) => `${HOLE}${spans.push(html) - 1}${HOLE}`;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "`") {
      const run = /^`+/.exec(text.slice(i))![0];
      const close = text.indexOf(run, i + run.length);
      if (close > i) {
        spans.push(`<code>${escapeHtml(text.slice(i + run.length, close).trim() || " ")}</code>`);
        out += `${HOLE}${spans.length - 1}${HOLE}`;
        i = close + run.length;
        continue;
      }
      out += escapeHtml(run);
      i += run.length;
      continue;
    }
    if (links && c === "[") {
      const link = linkAt(text, i);
      if (link) {
        out += hole(anchor(link.url, inline(link.label, false)));
        i = link.end;
        continue;
      }
    }
    if (links && c === "<" && URL_START.test(text.slice(i + 1))) {
      const close = text.indexOf(">", i);
      const url = close > 0 ? text.slice(i + 1, close) : "";
      if (url && !/\s/.test(url)) {
        out += hole(anchor(url, escapeHtml(url)));
        i = close + 1;
        continue;
      }
    }
    if (links && c === "h" && !/\w/.test(text[i - 1] ?? "") && URL_START.test(text.slice(i, i + 12))) {
      const end = urlEnd(text, i, false);
      const url = text.slice(i, end);
      out += hole(anchor(url, escapeHtml(url)));
      i = end;
      continue;
    }
    out += escapeHtml(c);
    i++;
  }
  out = out
    .replace(/~~(?=\S)([^~\n]*?\S)~~/g, "<del>$1</del>")
    .replace(/\*\*(?=\S)([^\n]*?\S)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^\w])__(?=\S)([^\n]*?\S)__(?!\w)/g, "$1<strong>$2</strong>")
    .replace(/(^|[^*\w])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![*\w])/g, "$1<em>$2</em>")
    .replace(/(^|[^\w])_(?=[^\s_])([^_\n]*?[^\s_])_(?!\w)/g, "$1<em>$2</em>");
  return out.replace(/\u0000(\d+)\u0000/g, (_m, n: string) => spans[Number(n)]);
}

/** `[label](https://url)` at `i`, with nested brackets in the label and parentheses in the URL. */
function linkAt(s: string, i: number): { label: string; url: string; end: number } | null {
  let depth = 0;
  let j = i;
  for (; j < s.length; j++) {
    if (s[j] === "[") depth++;
    else if (s[j] === "]" && --depth === 0) break;
  }
  if (j >= s.length || s[j + 1] !== "(") return null;
  const start = j + 2;
  if (!URL_START.test(s.slice(start))) return null;
  const end = urlEnd(s, start, true);
  if (s[end] !== ")") return null;
  return { label: s.slice(i + 1, j), url: s.slice(start, end), end: end + 1 };
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}>\s?/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

function cells(line: string): string[] {
  let s = line.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|") && !s.endsWith("\\|")) s = s.slice(0, -1);
  // a `\|` is a pipe inside a cell; a pipe inside a code span splits the cell (as GitHub does)
  return s.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

function table(head: string, sep: string, rows: string[]): string {
  const aligns = cells(sep).map((c) => (c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : c.startsWith(":") ? "left" : ""));
  const heads = cells(head);
  const cell = (tag: string, text: string, k: number) =>
    `<${tag}${aligns[k] ? ` style="text-align:${aligns[k]}"` : ""}>${inline(text)}</${tag}>`;
  const row = (tag: string, cs: string[]) => `<tr>${heads.map((_h, k) => cell(tag, cs[k] ?? "", k)).join("")}</tr>`;
  const body = rows.length ? `<tbody>${rows.map((r) => row("td", cells(r))).join("")}</tbody>` : "";
  return `<table><thead>${row("th", heads)}</thead>${body}</table>`;
}

function indentOf(line: string): number {
  return /^\s*/.exec(line.replace(/\t/g, "    "))![0].length;
}

function startsBlock(lines: string[], i: number): boolean {
  const l = lines[i];
  return FENCE.test(l) || HEADING.test(l) || QUOTE.test(l) || ITEM.test(l) || RULE.test(l) ||
    (l.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) && cells(l).length === cells(lines[i + 1]).length);
}

/** A list starting at `i`: its items (with their nested blocks) and the line after it. */
function list(lines: string[], i: number, depth: number): [string, number] {
  const first = ITEM.exec(lines[i])!;
  const base = indentOf(lines[i]);
  const ordered = /\d/.test(first[2]);
  const num = ordered ? parseInt(first[2], 10) : 1;
  const items: string[] = [];
  while (i < lines.length) {
    const m = ITEM.exec(lines[i]);
    if (!m || indentOf(lines[i]) !== base || /\d/.test(m[2]) !== ordered) break;
    const body = [m[3]];
    const inner = base + m[1].length - indentOf(m[1]) + m[2].length + 1; // where the text starts
    let loose = false;
    for (i++; i < lines.length; i++) {
      const l = lines[i];
      if (!l.trim()) {
        const next = lines.slice(i + 1).find((x) => x.trim());
        if (next === undefined || indentOf(next) <= base) break;
        loose = true;
        body.push("");
        continue;
      }
      const ind = indentOf(l);
      if (ind > base) body.push(l.replace(/\t/g, "    ").slice(Math.min(ind, inner)));
      else if (!startsBlock(lines, i) && body[body.length - 1] !== "") body.push(l.trim()); // lazy continuation
      else break;
    }
    const html = blocks(body, depth + 1);
    // a tight item is its text only; a loose one (blank lines inside) keeps its paragraphs
    items.push(`<li>${loose ? html : html.replace(/^<p>([\s\S]*?)<\/p>/, "$1")}</li>`);
  }
  const tag = ordered ? "ol" : "ul";
  const start = ordered && num !== 1 ? ` start="${num}"` : "";
  return [`<${tag}${start}>${items.join("")}</${tag}>`, i];
}

function blocks(lines: string[], depth: number): string {
  if (depth > 12) return `<p>${lines.map((l) => escapeHtml(l)).join("<br>")}</p>`; // pathological nesting
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(`<p>${para.map((l) => inline(l.trim())).join("<br>")}</p>`);
    para = [];
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      const close = new RegExp(`^\\s{0,3}${fence[1][0] === "`" ? "`" : "~"}{${fence[1].length},}\\s*$`);
      for (i++; i < lines.length && !close.test(lines[i]); i++) code.push(lines[i]);
      out.push(`<pre><code>${escapeHtml(code.join("\n"))}</code></pre>`);
      i++;
      continue;
    }
    if (!line.trim()) {
      flush();
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const level = Math.min(heading[1].length + 2, 6); // h3..h6: replies sit inside a notebook cell
      out.push(`<h${level}>${inline(heading[2])}</h${level}>`);
      i++;
    } else if (RULE.test(line)) {
      flush();
      out.push("<hr>");
      i++;
    } else if (QUOTE.test(line)) {
      flush();
      const quoted: string[] = [];
      for (; i < lines.length && lines[i].trim() && (QUOTE.test(lines[i]) || !startsBlock(lines, i)); i++) {
        quoted.push(lines[i].replace(QUOTE, ""));
      }
      out.push(`<blockquote>${blocks(quoted, depth + 1)}</blockquote>`);
    } else if (ITEM.test(line)) {
      flush();
      const [html, next] = list(lines, i, depth);
      out.push(html);
      i = next;
    } else if (startsBlock(lines, i)) {
      // a table: a row of cells, then the separator, then rows until a line without a pipe
      flush();
      const head = line;
      const sep = lines[i + 1];
      const rows: string[] = [];
      for (i += 2; i < lines.length && lines[i].includes("|") && lines[i].trim(); i++) rows.push(lines[i]);
      out.push(table(head, sep, rows));
    } else {
      para.push(line);
      i++;
    }
  }
  flush();
  return out.join("");
}

/** Render Markdown `src` to safe HTML. */
export function renderMarkdown(src: string): string {
  return blocks(src.replace(/\u0000/g, "\uFFFD").replace(/\r\n?/g, "\n").split("\n"), 0);
}
