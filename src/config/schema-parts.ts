/**
 * The building blocks of the config schema (schema.ts and its sections): strict objects whose
 * unknown keys get a suggestion, values checked by the small parsers, enums with the valid list.
 */
import * as z from "zod";
import { closest } from "./closest.ts";
import { parseDuration } from "./duration.ts";
import { fail, ok, show, type Parsed } from "./parsed.ts";

/** A strict object whose unknown-key message names each key and suggests the intended one. */
export function strict<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      // One line per key; format-problems.ts splits them into separate problems.
      return issue.keys
        .map((key) => {
          const guess = closest(key, known);
          return `unknown key ${show(key)}${guess ? ` (did you mean ${show(guess)}?)` : ""}`;
        })
        .join("\n");
    },
  });
}

/** A value checked and converted by one of the small parsers. */
export function parsedBy<T>(parse: (input: unknown) => Parsed<T>) {
  return z.unknown().transform((input, ctx): T => {
    const result = input === undefined ? fail<T>("is required") : parse(input);
    if (result.ok) return result.value;
    ctx.addIssue({ code: "custom", message: result.message, input });
    return z.NEVER;
  });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T, noun: string) {
  return z.enum(values, {
    error: (issue) =>
      issue.code === "invalid_value"
        ? `unknown ${noun} ${show(issue.input)}; valid: ${values.join(", ")}`
        : undefined,
  });
}

export function durationAtLeast(minMs: number) {
  return parsedBy((input) => {
    const parsed = parseDuration(input);
    if (parsed.ok && parsed.value < minMs) return fail(`must be at least ${minMs}ms, got ${show(input)}`);
    return parsed;
  });
}

export const duration = durationAtLeast(0);
export const positiveDuration = durationAtLeast(1);
export const count = z.number().int().min(0);
export const atLeastOne = z.number().int().min(1);

export function absolutePath(what: string) {
  return parsedBy((input) => {
    if (typeof input !== "string") return fail(`expected a ${what} such as "/", got ${show(input)}`);
    if (!input.startsWith("/")) return fail(`must start with "/", got ${show(input)}`);
    return ok(input);
  });
}
