import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The fixed response bodies every backend serves, by URL path. */
export const BODIES = {
  "/small": 200,
  "/16k": 16 * 1024,
  "/1m": 1024 * 1024,
} as const;

export type BodyPath = keyof typeof BODIES;

/** Writes the body files once into `dir`; nginx serves them with sendfile so it is never the bottleneck. */
export function writeBodies(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [path, size] of Object.entries(BODIES)) {
    const line = "traceway bench body 0123456789abcdefghijklmnopqrstuvwxyz\n";
    writeFileSync(join(dir, path.slice(1)), line.repeat(Math.ceil(size / line.length)).slice(0, size));
  }
}
