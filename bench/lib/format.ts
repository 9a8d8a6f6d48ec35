/** Markdown table from a header row and body rows; pipes in cells are escaped. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (s: string): string => s.replaceAll("|", "\\|").replaceAll("\n", " ");
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Thousands-separated integer, or "–" for a missing value. */
export function int(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? "–" : Math.round(n).toLocaleString("en-US");
}

/** Milliseconds with precision that fits the magnitude. */
export function ms(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "–";
  return n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0);
}

export function fixed(n: number | undefined, digits: number): string {
  return n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(digits);
}

/** `0.87×`, or "–" when there is nothing to compare with. */
export function times(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)}×` : "–";
}

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
