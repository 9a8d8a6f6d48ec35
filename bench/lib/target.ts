import type { ManagedChild } from "./children.ts";

export type TargetKind = "traceway" | "nginx" | "haproxy" | "caddy" | "peer";

/** A proxy under test, balancing round-robin over the same three backends. */
export interface Target {
  /** Row label in the tables. */
  readonly name: string;
  readonly kind: TargetKind;
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Set when the target is running; its pid (and descendants) are what RSS is read from. */
  readonly child?: ManagedChild;
  /** Set instead of `child` when the target could not be started; the row shows it. */
  readonly failure?: string;
  /** Prometheus scrape URL, for the targets that export metrics. */
  readonly metricsUrl?: string;
}

export function isRunning(target: Target): target is Target & { child: ManagedChild } {
  return (
    target.failure === undefined && target.child !== undefined && target.child.exitReason() === undefined
  );
}

/** Why a running target cannot be used any more, or undefined. */
export function deadReason(target: Target): string | undefined {
  if (target.failure !== undefined) return target.failure;
  const reason = target.child?.exitReason();
  return reason === undefined
    ? undefined
    : `exited (${reason}): ${lastLine(target.child?.stderrTail() ?? "")}`;
}

/** The last non-empty line of a child's output: usually the error that made it exit. */
export function lastLine(text: string): string {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  return (lines.at(-1) ?? "no output").trim().slice(0, 300);
}
