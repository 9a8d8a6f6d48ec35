import { readFileSync } from "node:fs";

/**
 * The first fenced code block of `language` under a markdown heading (e.g. `## Configuration`),
 * before the next heading of the same or a higher level. Lets docs examples be tests.
 * @throws Error when the heading or the block is missing, so a moved example fails loudly.
 */
export function markdownBlock(file: string, heading: string, language = "yaml"): string {
  const lines = readFileSync(file, "utf8").split("\n");
  const level = /^#+/.exec(heading)?.[0].length ?? 0;
  const start = lines.findIndex((line) => line.trim() === heading.trim());
  if (start === -1) throw new Error(`${file}: no heading "${heading}"`);
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const headingLevel = /^(#+)\s/.exec(line)?.[1]?.length;
    if (headingLevel !== undefined && headingLevel <= level) break;
    if (!line.trim().startsWith("```")) continue;
    // A fence: find its end, so "# comments" inside other blocks are not taken for headings.
    const end = lines.findIndex((l, j) => j > i && l.trim() === "```");
    if (end === -1) throw new Error(`${file}: unclosed code block after line ${i + 1}`);
    if (line.trim() === "```" + language) return lines.slice(i + 1, end).join("\n");
    i = end;
  }
  throw new Error(`${file}: no \`\`\`${language} block under "${heading}"`);
}

/**
 * The body rows of the first table under a markdown heading, as trimmed cells (header and the
 * `| --- |` line left out). Lets tests hold a documented table to what the code does.
 * @throws Error when the heading or the table is missing.
 */
export function markdownTable(file: string, heading: string): string[][] {
  const lines = readFileSync(file, "utf8").split("\n");
  const level = /^#+/.exec(heading)?.[0].length ?? 0;
  const start = lines.findIndex((line) => line.trim() === heading.trim());
  if (start === -1) throw new Error(`${file}: no heading "${heading}"`);
  let i = start + 1;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const headingLevel = /^(#+)\s/.exec(line)?.[1]?.length;
    if (headingLevel !== undefined && headingLevel <= level) break;
    if (line.startsWith("|")) break;
  }
  const rows: string[][] = [];
  for (let j = i + 2; j < lines.length && (lines[j] ?? "").startsWith("|"); j++) {
    // An escaped `\|` inside a cell is text, not a column border.
    const cells = (lines[j] ?? "")
      .trim()
      .slice(1, -1)
      .split(/(?<!\\)\|/);
    rows.push(cells.map((cell) => cell.trim()));
  }
  if (rows.length === 0) throw new Error(`${file}: no table under "${heading}"`);
  return rows;
}
