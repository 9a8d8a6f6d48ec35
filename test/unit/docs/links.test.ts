import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

// Sections move between the README and docs/; a relative link left pointing at the old place is
// caught here rather than by a reader.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PAGES = [
  join(ROOT, "README.md"),
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => join(ROOT, "docs", name)),
];

/** Lines outside fenced code blocks, with their inline code spans blanked. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split("\n").flatMap((line) => {
    if (line.trim().startsWith("```")) {
      fenced = !fenced;
      return [];
    }
    return fenced ? [] : [line];
  });
}

/** GitHub's anchor for a heading: its text lowercased, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[`*]/g, "")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

/** Every anchor a page defines, with GitHub's -1, -2 … for repeated headings. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(readFileSync(file, "utf8"))) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Relative link targets of a page (inline code spans dropped, so `a[i](x)` in code is not a link). */
function linksOf(file: string): string[] {
  const lines = prose(readFileSync(file, "utf8")).map((line) =>
    line.replace(/`[^`]*`/g, (code) => " ".repeat(code.length)),
  );
  const links: string[] = [];
  for (const line of lines) {
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push(target);
    }
  }
  return links;
}

test("every relative link in README.md and docs/*.md points at a file and anchor that exist", () => {
  const broken: string[] = [];
  let checked = 0;
  for (const page of PAGES) {
    for (const link of linksOf(page)) {
      checked++;
      const [path = "", anchor] = link.split("#");
      const target = path === "" ? page : join(dirname(page), decodeURIComponent(path));
      const where = `${relative(ROOT, page)}: ${link}`;
      if (!existsSync(target)) broken.push(`${where} (no such file)`);
      else if (anchor !== undefined && target.endsWith(".md") && !anchorsOf(target).has(anchor)) {
        broken.push(`${where} (no heading with that anchor)`);
      }
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(checked > 50, `only ${checked} links found: is the link pattern still right?`);
});

test("the README links every docs page", () => {
  const linked = new Set(linksOf(join(ROOT, "README.md")).map((link) => link.split("#")[0]));
  const pages = PAGES.slice(1).map((page) => relative(ROOT, page));
  assert.deepEqual(
    pages.filter((page) => !linked.has(page)),
    [],
  );
});
