import type { Attributes } from "@opentelemetry/api";

/**
 * Most label sets a cache keeps: the SDK's default cardinality limit per instrument, beyond which
 * it folds points into an overflow series anyway. Past it, sets are built per point (uncached),
 * so a misbehaving label source costs speed, never memory.
 */
export const MAX_CACHED_SETS = 2000;

type Level = Map<unknown, unknown>;

/**
 * Frozen metric label sets by a path of seven keys (strings, numbers, objects or `undefined`), so
 * the hot path reuses one object per series instead of building one per data point. Nested maps
 * rather than one joined string key: the keys are strings whose hashes V8 has already cached
 * (config values, normalised methods, constants) or small integers, so a lookup builds and hashes
 * nothing. Callers with fewer keys pass `undefined` for the rest.
 */
export class AttributeSets {
  readonly #root: Level = new Map();
  #size = 0;

  get(
    k1: unknown,
    k2: unknown,
    k3: unknown,
    k4: unknown,
    k5: unknown,
    k6: unknown,
    k7: unknown,
  ): Attributes | undefined {
    const l2 = this.#root.get(k1) as Level | undefined;
    const l3 = l2?.get(k2) as Level | undefined;
    const l4 = l3?.get(k3) as Level | undefined;
    const l5 = l4?.get(k4) as Level | undefined;
    const l6 = l5?.get(k5) as Level | undefined;
    const l7 = l6?.get(k6) as Map<unknown, Attributes> | undefined;
    return l7?.get(k7);
  }

  /** Keeps `attributes` (frozen) under the keys while there is room; returns them either way. */
  add(
    k1: unknown,
    k2: unknown,
    k3: unknown,
    k4: unknown,
    k5: unknown,
    k6: unknown,
    k7: unknown,
    attributes: Attributes,
  ): Attributes {
    if (this.#size >= MAX_CACHED_SETS) return attributes;
    const leaf = level(level(level(level(level(level(this.#root, k1), k2), k3), k4), k5), k6);
    if (!leaf.has(k7)) this.#size++;
    leaf.set(k7, Object.freeze(attributes));
    return attributes;
  }
}

function level(parent: Level, key: unknown): Level {
  let child = parent.get(key) as Level | undefined;
  if (child === undefined) parent.set(key, (child = new Map()));
  return child;
}

/**
 * One part of a joined string key for a free-form string: length-prefixed, so parts can never
 * run into each other whatever characters they hold; `undefined` is told apart from `""`.
 */
export function keyPart(value: string | undefined): string {
  return value === undefined ? "-" : `${value.length}:${value}`;
}
