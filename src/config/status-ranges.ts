import { fail, ok, show, type Parsed } from "./parsed.ts";

/** An inclusive range of HTTP status codes. */
export interface StatusRange {
  readonly min: number;
  readonly max: number;
}

const ITEM = /^(\d{3})(?:-(\d{3}))?$/;

/**
 * Parses the statuses a health probe accepts: `200`, `200-399`, or a comma list of both
 * (`200,204,300-399`), like HAProxy's `http-check expect status`. Each status is 100..599.
 */
export function parseStatusRanges(input: unknown): Parsed<StatusRange[]> {
  if (typeof input === "number") input = String(input);
  if (typeof input !== "string") return fail(`expected statuses such as "200-399", got ${show(input)}`);
  const ranges: StatusRange[] = [];
  for (const raw of input.split(",")) {
    const item = raw.trim();
    const match = ITEM.exec(item);
    if (!match)
      return fail(`invalid status list ${show(input)}: "${item}" is not a status or "min-max" range`);
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : Number(match[2]);
    if (min < 100 || max > 599) return fail(`invalid status list ${show(input)}: statuses are 100..599`);
    if (min > max) return fail(`invalid status list ${show(input)}: range "${item}" is reversed`);
    ranges.push({ min, max });
  }
  return ok(ranges);
}
