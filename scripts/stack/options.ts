/**
 * `npm run stack -- up|down|status [--no-load] [--port-offset N] [--dir PATH]`, each flag also read
 * from the environment (TRACEWAY_STACK_LOAD=0, TRACEWAY_STACK_PORT_OFFSET, TRACEWAY_STACK_DIR). A bad
 * flag is one line naming it, exit 2.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { resolvePorts } from "./ports.ts";
import type { StackPorts } from "./ports.ts";
import type { WebhookOverrides } from "./configs.ts";

export type Action = "up" | "down" | "status";

export interface StackOptions {
  readonly action: Action;
  readonly root: string;
  readonly dir: string;
  readonly ports: StackPorts;
  readonly load: boolean;
  readonly webhooks: WebhookOverrides;
}

export class UsageError extends Error {}

export const USAGE = `usage: npm run stack -- [up|down|status] [--no-load] [--port-offset N] [--dir PATH]
  up      (the default) start (or complete) the example system; idempotent; prints every URL and log
  down    stop what up started, newest first
  status  one line per component
  --no-load          no built-in load (TRACEWAY_STACK_LOAD=0)
  --port-offset N    add N to every default port (TRACEWAY_STACK_PORT_OFFSET);
                     TRACEWAY_STACK_PORT_<NAME>=P moves one port (docs/stack.md lists the names)
  --dir PATH         state, logs and data (TRACEWAY_STACK_DIR, default .stack)`;

function webhook(variable: string, env: NodeJS.ProcessEnv): string | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === "") return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol === "http:" || url.protocol === "https:") return raw;
  } catch {
    // reported below
  }
  throw new UsageError(`${variable}=${JSON.stringify(raw)}: want an http(s) URL`);
}

/** @throws UsageError naming the bad flag or variable. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv, root: string): StackOptions {
  let parsed: ReturnType<
    typeof parseArgs<{ options: Record<string, { type: "string" | "boolean" }>; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      options: { "no-load": { type: "boolean" }, "port-offset": { type: "string" }, dir: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  // `npm run stack` alone means up, as the README's quick start runs it.
  const [action = "up", ...rest] = parsed.positionals;
  if (action !== "up" && action !== "down" && action !== "status") {
    throw new UsageError(`unknown action ${JSON.stringify(action)}`);
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  const offsetRaw =
    (parsed.values["port-offset"] as string | undefined) ?? env["TRACEWAY_STACK_PORT_OFFSET"] ?? "0";
  const offset = Number(offsetRaw);
  if (!/^\d+$/.test(offsetRaw) || offset > 60000) {
    throw new UsageError(`--port-offset ${JSON.stringify(offsetRaw)}: want a whole number from 0 to 60000`);
  }
  let ports: StackPorts;
  try {
    ports = resolvePorts(offset, env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const dir = (parsed.values["dir"] as string | undefined) ?? env["TRACEWAY_STACK_DIR"] ?? ".stack";
  const loadOff = parsed.values["no-load"] === true || env["TRACEWAY_STACK_LOAD"] === "0";
  return {
    action,
    root,
    dir: resolve(root, dir),
    ports,
    load: !loadOff,
    webhooks: {
      onCall: webhook("TRACEWAY_STACK_ONCALL_URL", env),
      ticketQueue: webhook("TRACEWAY_STACK_TICKET_URL", env),
    },
  };
}
