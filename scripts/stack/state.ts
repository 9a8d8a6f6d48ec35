/** `<dir>/stack.json`: the ports and load switch `up` ran with, so `down` and `status` need no flags. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { StackPorts } from "./ports.ts";

export interface StackState {
  readonly ports: StackPorts;
  readonly load: boolean;
}

export const stateFile = (dir: string): string => join(dir, "stack.json");

export async function readState(dir: string): Promise<StackState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dir), "utf8")) as StackState;
  } catch {
    return undefined;
  }
}
