import { closest } from "../config/closest.ts";
import { MAX_WEIGHT } from "../config/defaults.ts";
import { TracewayError } from "../errors.ts";
import type { BackendOverride } from "../pool/backend.ts";
import type { BackendPatch, CanaryAction } from "./api-types.ts";

const PATCH_KEYS = ["weight", "drain", "enabled"] as const;
const CANARY_ACTIONS: readonly CanaryAction["action"][] = ["pause", "resume", "restart"];

/**
 * Checks a backend PATCH body whole: a JSON object with at least one of `weight` (0..1000),
 * `drain`, `enabled` and nothing else. Throws `ADMIN_BAD_INPUT` naming the first problem.
 */
export function parseBackendPatch(body: unknown): BackendPatch {
  const object = jsonObject(body, `at least one of ${PATCH_KEYS.join(", ")}`);
  unknownKeys(object, PATCH_KEYS);
  if (Object.keys(object).length === 0)
    bad(`the body changes nothing: give at least one of ${PATCH_KEYS.join(", ")}`);
  const { weight, drain, enabled } = object;
  if (
    weight !== undefined &&
    !(typeof weight === "number" && Number.isInteger(weight) && weight >= 0 && weight <= MAX_WEIGHT)
  ) {
    bad(`weight must be a whole number 0..${MAX_WEIGHT}, got ${JSON.stringify(weight)}`);
  }
  if (drain !== undefined && typeof drain !== "boolean")
    bad(`drain must be true or false, got ${JSON.stringify(drain)}`);
  if (enabled !== undefined && typeof enabled !== "boolean") {
    bad(`enabled must be true or false, got ${JSON.stringify(enabled)}`);
  }
  return {
    ...(weight === undefined ? {} : { weight: weight }),
    ...(drain === undefined ? {} : { drain: drain }),
    ...(enabled === undefined ? {} : { enabled: enabled }),
  };
}

/** The pool override a checked patch asks for (`drain` is the pool's `draining`). */
export function overrideOf(patch: BackendPatch): BackendOverride {
  return {
    ...(patch.weight === undefined ? {} : { weight: patch.weight }),
    ...(patch.drain === undefined ? {} : { draining: patch.drain }),
    ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
  };
}

/** Checks a `POST .../canary` body: `{"action": "pause" | "resume" | "restart"}`. */
export function parseCanaryAction(body: unknown): CanaryAction {
  const object = jsonObject(body, `{"action": "${CANARY_ACTIONS.join('" | "')}"}`);
  unknownKeys(object, ["action"]);
  const { action } = object;
  if (typeof action !== "string" || !(CANARY_ACTIONS as readonly string[]).includes(action)) {
    bad(`action must be one of ${CANARY_ACTIONS.join(", ")}, got ${JSON.stringify(action) ?? "nothing"}`);
  }
  return { action: action as CanaryAction["action"] };
}

function jsonObject(body: unknown, expected: string): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    bad(
      `expected a JSON object with ${expected}, got ${body === undefined ? "no body" : JSON.stringify(body)}`,
    );
  }
  return body as Record<string, unknown>;
}

function unknownKeys(object: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const guess = closest(key, known);
    bad(
      `unknown key ${JSON.stringify(key)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ""}; known: ${known.join(", ")}`,
    );
  }
}

function bad(message: string): never {
  throw new TracewayError("ADMIN_BAD_INPUT", message);
}
