// @vitest-environment happy-dom
// The chat's Markdown: the constructs it renders, and on random input nothing outside a whitelist.
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../lib/markdown";

const TAGS = new Set(["P", "BR", "STRONG", "EM", "DEL", "CODE", "PRE", "A", "H3", "H4", "H5", "H6", "UL", "OL", "LI",
  "BLOCKQUOTE", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD", "HR"]);
const ATTRS: Record<string, (v: string) => boolean> = {
  href: (v) => /^https?:\/\//.test(v),
  target: (v) => v === "_blank",
  rel: (v) => v === "noopener noreferrer",
  style: (v) => /^text-align:(left|right|center)$/.test(v),
  start: (v) => /^\d+$/.test(v),
};
const ATTR_TAGS: Record<string, string[]> = { href: ["A"], target: ["A"], rel: ["A"], style: ["TH", "TD"], start: ["OL"] };

function dom(html: string): HTMLElement {
  const box = document.createElement("div");
  box.innerHTML = html;
  return box;
}

/** Every element and attribute in `html` is on the whitelist (returns the offender or ""). */
function offender(html: string): string {
  for (const el of Array.from(dom(html).querySelectorAll("*"))) {
    if (!TAGS.has(el.tagName)) return `<${el.tagName}>`;
    for (const a of Array.from(el.attributes)) {
      if (!ATTRS[a.name]?.(a.value) || !ATTR_TAGS[a.name].includes(el.tagName)) return `${el.tagName}[${a.name}=${a.value}]`;
    }
  }
  return "";
}

describe("markdown constructs", () => {
  it("escapes HTML and keeps safe formatting", () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)> **bold** `<b>` [a](javascript:x) [b](https://e.x)\n- one\n- two');
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<code>&lt;b&gt;</code>");
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('<a href="https://e.x"');
    expect(html).toContain("<ul><li>one</li><li>two</li></ul>");
  });

  it("renders a pipe table with alignment", () => {
    const el = dom(renderMarkdown("| Track | Clips |\n|:--|--:|\n| Video | 3 |\n| **BGM** | 1 |"));
    expect(Array.from(el.querySelectorAll("th")).map((t) => t.textContent)).toEqual(["Track", "Clips"]);
    expect(el.querySelectorAll("tbody tr")).toHaveLength(2);
    expect(el.querySelector("tbody tr:nth-child(2) td strong")!.textContent).toBe("BGM");
    expect(el.querySelector("td:nth-child(2)")!.getAttribute("style")).toBe("text-align:right");
  });

  it("nests blockquotes and lists", () => {
    const el = dom(renderMarkdown("> quoted **text**\n> > deeper\n\n- a\n  - a.1\n  - a.2\n- b\n\n3. three\n4. four"));
    expect(el.querySelector("blockquote strong")!.textContent).toBe("text");
    expect(el.querySelector("blockquote blockquote")!.textContent).toBe("deeper");
    expect(el.querySelectorAll("ul > li")).toHaveLength(4);
    expect(el.querySelectorAll("ul ul > li")).toHaveLength(2);
    expect(el.querySelector("ul > li")!.firstChild!.textContent).toBe("a");
    expect(el.querySelector("ol")!.getAttribute("start")).toBe("3");
  });

  it("strikes through, autolinks and keeps balanced parentheses in URLs", () => {
    const el = dom(renderMarkdown(
      "~~old~~ see https://en.wikipedia.org/wiki/Cut_(film). Or <https://e.x/a_b_c> or [wiki](https://e.x/a_(b)_c)",
    ));
    expect(el.querySelector("del")!.textContent).toBe("old");
    const hrefs = Array.from(el.querySelectorAll("a")).map((a) => a.getAttribute("href"));
    expect(hrefs).toEqual(["https://en.wikipedia.org/wiki/Cut_(film)", "https://e.x/a_b_c", "https://e.x/a_(b)_c"]);
    expect(el.querySelector("em")).toBeNull(); // the underscores of a URL are not emphasis
    expect(el.textContent).toContain("Cut_(film). Or");
  });

  it("does not confuse text with its own placeholders", () => {
    const html = renderMarkdown("a \u00000\u0000 b `x` and \u00001\u0000");
    expect(html).toContain("<code>x</code>");
    expect(dom(html).textContent).toBe("a \uFFFD0\uFFFD b x and \uFFFD1\uFFFD");
  });

  it("keeps code fences verbatim and emphasis inside words alone", () => {
    const el = dom(renderMarkdown("```\n| a | b |\n|---|---|\n**x**\n```\nsnake_case_name and 2*3*4"));
    expect(el.querySelector("pre code")!.textContent).toBe("| a | b |\n|---|---|\n**x**");
    expect(el.querySelector("table")).toBeNull();
    expect(el.querySelector("em")).toBeNull();
  });
});

// A small seeded generator: Markdown-significant fragments, HTML and attribute-breaking bits.
const PIECES = ["*", "**", "_", "__", "~~", "`", "``", "[", "]", "(", ")", "<", ">", '"', "'", "&", "|", "-", ":", "#",
  "> ", "- ", "1. ", "  ", "\n", "\n\n", "```", "https://", "http://e.x/", "javascript:", "<script>", "<img src=x onerror=y>",
  "<a href=\"javascript:x\">", "onclick=", "style=", "\u0000", "0", "\u00000\u0000", "x", "word", " ", "|---|", ":-:", "\t"];

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describe("markdown whitelist property", () => {
  it("never yields a tag or attribute outside the whitelist", () => {
    const next = rng(20261201);
    for (let n = 0; n < 1500; n++) {
      let src = "";
      const len = 1 + Math.floor(next() * 40);
      for (let k = 0; k < len; k++) src += PIECES[Math.floor(next() * PIECES.length)];
      const bad = offender(renderMarkdown(src));
      expect(bad, JSON.stringify(src)).toBe("");
    }
  });

  it("the whitelist check itself catches offenders", () => {
    expect(offender('<p onclick="x">a</p>')).not.toBe("");
    expect(offender('<a href="javascript:x">a</a>')).not.toBe("");
    expect(offender("<img>")).not.toBe("");
  });
});
