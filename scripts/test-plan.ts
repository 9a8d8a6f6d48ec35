/**
 * What `npm test` (scripts/run-tests.ts) runs in which phase, and how it adds up the counts. Kept apart
 * from run-tests.ts, which starts services and test processes when imported, so a unit test can hold
 * the grouping and the arithmetic (test/unit/scripts/test-plan.test.ts).
 *
 * Phases, in order:
 * 1. infrastructure: the files under test/integration/services, which check the services the other tests
 *    run against, not traceway; counted apart.
 * 2. parallel: traceway's own files, TRACEWAY_TEST_CONCURRENCY files at a time.
 * 3. solo: traceway's own files whose first line is a `// @solo: <why>` marker, one at a time after the
 *    parallel pool has finished. For tests that measure the machine (CPU seconds of a process tree, a
 *    rate held to Little's law, one load generator against another), which another test file on the
 *    same 2 cores turns into a measurement of the contention.
 */

/** Tests of the services themselves, counted apart from traceway's. */
export const INFRASTRUCTURE = "test/integration/services/";

/** `// @solo: the reason` as a file's first line; the reason is required, so the marker explains itself. */
const SOLO_MARKER = /^\/\/ @solo: \S/;

export interface TestPlan {
  readonly infrastructure: readonly string[];
  readonly parallel: readonly string[];
  readonly solo: readonly string[];
}

/** A file's first line, which is where the solo marker must stand. */
export function firstLine(text: string): string {
  const newline = text.indexOf("\n");
  return newline === -1 ? text : text.slice(0, newline);
}

export function isSolo(firstLine: string): boolean {
  return SOLO_MARKER.test(firstLine);
}

/** Splits the files into the three phases; every file lands in exactly one, in the given order. */
export function planTests(files: readonly string[], firstLineOf: (file: string) => string): TestPlan {
  const infrastructure = files.filter((f) => f.startsWith(INFRASTRUCTURE));
  const own = files.filter((f) => !f.startsWith(INFRASTRUCTURE));
  const solo = own.filter((f) => isSolo(firstLineOf(f)));
  const parallel = own.filter((f) => !solo.includes(f));
  return { infrastructure, parallel, solo };
}

export interface Counts {
  readonly pass: number;
  readonly fail: number;
  readonly cancelled: number;
  readonly skipped: number;
  readonly todo: number;
}

export const NO_TESTS: Counts = { pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };

/** The spec reporter's closing `ℹ pass N` lines (the last of each, since subtests print their own). */
export function parseCounts(output: string): Counts {
  const last = (label: keyof Counts): number => {
    const matches = [...output.matchAll(new RegExp(`^ℹ ${label} (\\d+)\\s*$`, "gm"))];
    return Number(matches.at(-1)?.[1] ?? 0);
  };
  return {
    pass: last("pass"),
    fail: last("fail"),
    cancelled: last("cancelled"),
    skipped: last("skipped"),
    todo: last("todo"),
  };
}

export function addCounts(a: Counts, b: Counts): Counts {
  return {
    pass: a.pass + b.pass,
    fail: a.fail + b.fail,
    cancelled: a.cancelled + b.cancelled,
    skipped: a.skipped + b.skipped,
    todo: a.todo + b.todo,
  };
}

/** A cancelled test (timed out, or its file died) is a failure as far as the summary is concerned. */
export function formatCounts(counts: Counts): string {
  const todo = counts.todo > 0 ? `, ${counts.todo} todo` : "";
  return `${counts.pass} passed, ${counts.fail + counts.cancelled} failed, ${counts.skipped} skipped${todo}`;
}
