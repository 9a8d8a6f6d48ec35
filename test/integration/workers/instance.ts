import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCli, type CliProcess } from "../../helpers/cli-process.ts";
import { waitFor } from "../../helpers/wait-for.ts";

/** One JSON log line of a traceway process. */
export type LogLine = Readonly<Record<string, unknown>> & { readonly msg: string; readonly pid: number };

/** A multi-worker traceway started through the CLI, as users start it. */
export interface Instance {
  readonly cli: CliProcess;
  /** The config file; rewrite it to reload. */
  readonly file: string;
  readonly url: string;
  /** The primary's process id. */
  readonly primary: number;
  /** Worker process ids at start, by slot. */
  readonly workers: ReadonlyMap<number, number>;
  /** Every JSON line written so far (primary and workers share stdout). */
  lines(): LogLine[];
  /** Access lines so far (a worker writes them in batches, at the latest a second after the request). */
  access(): LogLine[];
  /** Waits for the access lines of `count` requests made after `mark` lines; resolves with them. */
  accessAfter(mark: number, count: number): Promise<LogLine[]>;
  /** Waits for a log line `accept` takes, after the first `after` lines. */
  waitForLine(accept: (line: LogLine) => boolean, what: string, after?: number): Promise<LogLine>;
  stop(): Promise<number | null>;
}

/**
 * Writes `yaml` to a fresh file and starts `traceway --config` on it; resolves when the primary
 * says the instance listens (every worker does by then).
 */
export async function startInstance(yaml: string): Promise<Instance> {
  const dir = await mkdtemp(join(tmpdir(), "traceway-workers-"));
  const file = join(dir, "traceway.yaml");
  await writeFile(file, yaml);
  const cli = startCli(["--config", file]);
  let listening: LogLine;
  try {
    listening = await waitForLine(
      cli,
      (l) => l.msg === "traceway listening" && "workers" in l,
      "the primary listening",
      0,
      60_000,
    );
  } catch (error) {
    await cli.stop();
    throw new Error(`${(error as Error).message}\nstderr: ${cli.stderr()}`);
  }
  const pids = listening["pids"] as Record<string, number>;
  return {
    cli,
    file,
    url: listening["listen_url"] as string,
    primary: listening.pid,
    workers: new Map(Object.entries(pids).map(([slot, pid]) => [Number(slot), pid])),
    lines: () => parseLines(cli.stdout()),
    access: () => accessLines(cli),
    accessAfter: async (mark, count) =>
      (
        await waitFor(
          () => {
            const lines = accessLines(cli);
            return lines.length >= mark + count ? lines : undefined;
          },
          { what: `${count} access lines after the first ${mark}` },
        )
      ).slice(mark),
    waitForLine: (accept, what, after = 0) => waitForLine(cli, accept, what, after),
    async stop() {
      const code = await cli.stop();
      await rm(dir, { recursive: true, force: true });
      return code;
    },
  };
}

function accessLines(cli: CliProcess): LogLine[] {
  return parseLines(cli.stdout()).filter((l) => l.msg === "access");
}

function parseLines(text: string): LogLine[] {
  const lines: LogLine[] = [];
  // Only whole lines: the last one may still be being written.
  for (const line of text.slice(0, text.lastIndexOf("\n") + 1).split("\n")) {
    if (!line.startsWith("{")) continue;
    lines.push(JSON.parse(line) as LogLine);
  }
  return lines;
}

async function waitForLine(
  cli: CliProcess,
  accept: (line: LogLine) => boolean,
  what: string,
  after: number,
  timeoutMs = 20_000,
): Promise<LogLine> {
  return waitFor(
    () => {
      if (cli.child.exitCode !== null)
        throw new Error(`traceway exited (${cli.child.exitCode}): ${cli.stderr()}`);
      return parseLines(cli.stdout()).slice(after).find(accept);
    },
    { what, timeoutMs },
  );
}

/** One sample of the Prometheus text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Reads the samples of a scrape (the text format's sample lines; comments skipped). */
export async function scrape(metricsUrl: string): Promise<Sample[]> {
  const text = await (await fetch(metricsUrl)).text();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[key!] = value!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** Sum of the samples named `name` (or `name` with a unit suffix, as issue 17 serves them) that match `labels`. */
export function total(samples: readonly Sample[], name: RegExp, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => name.test(s.name) && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** GET over `agent` (keep-alive when it is one; `false` for a fresh connection); the body as text. */
export function get(url: string, agent: Agent | false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * `total` GETs, at most `concurrency` at a time, each on a fresh connection so the kernel spreads
 * them over the workers; resolves with the bodies' counts.
 */
export async function spread(url: string, total: number, concurrency: number): Promise<Map<string, number>> {
  const bodies = new Map<string, number>();
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < total) {
      next++;
      const { status, body } = await get(url, false);
      const key = status === 200 ? body : `status ${status}`;
      bodies.set(key, (bodies.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return bodies;
}

/** Lines per process id. */
export function byPid(lines: readonly LogLine[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const l of lines) counts.set(l.pid, (counts.get(l.pid) ?? 0) + 1);
  return counts;
}
