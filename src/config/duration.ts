import { fail, ok, show, type Parsed } from "./parsed.ts";

/** Node timers overflow above 2^31-1 ms (and then fire after 1 ms), so longer durations are refused. */
export const MAX_DURATION_MS = 2_147_483_647;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
// Compiled once: one or more `<number><unit>` parts, as in Go's time.ParseDuration ("1m30s").
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/**
 * Parses a config duration to whole milliseconds. Strings need a unit (`500ms`, `5s`, `1.5s`,
 * `1m`, `1h`, `1m30s`); a bare YAML/JSON number is milliseconds. `"0"` is accepted as zero
 * because "0 = off" is how several keys are written. Negative values and unknown units fail.
 */
export function parseDuration(input: unknown): Parsed<number> {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return fail(`invalid duration ${show(input)}`);
    if (input < 0) return fail(`invalid duration ${show(input)}: must not be negative`);
    return withinRange(input, input);
  }
  if (typeof input !== "string") {
    return fail(`expected a duration such as "5s" or "500ms", got ${show(input)}`);
  }
  const text = input.trim();
  if (text === "0") return ok(0);
  if (text.startsWith("-")) return fail(`invalid duration ${show(input)}: must not be negative`);
  if (!WHOLE.test(text)) {
    return fail(
      `invalid duration ${show(input)}: use a number with a unit ms, s, m or h (e.g. "500ms", "5s")`,
    );
  }
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * (UNIT_MS[unit ?? ""] ?? 0);
  return withinRange(ms, input);
}

function withinRange(ms: number, input: unknown): Parsed<number> {
  const rounded = Math.round(ms);
  if (rounded > MAX_DURATION_MS)
    return fail(`invalid duration ${show(input)}: must be at most 596h (2^31-1 ms)`);
  return ok(rounded);
}
