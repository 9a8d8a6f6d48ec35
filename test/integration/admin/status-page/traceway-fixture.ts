import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCli, type CliProcess } from "../../../helpers/cli-process.ts";
import { closedPort } from "../../../helpers/http-backend.ts";
import { httpGet } from "../../../helpers/http-client.ts";
import { waitFor } from "../../../helpers/wait-for.ts";

/** A traceway process started from a YAML file, with its admin listener up. */
export interface Traceway {
  readonly cli: CliProcess;
  /** The balancer, `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The admin listener, where the status page is. */
  readonly adminUrl: string;
  readonly adminPort: number;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export const ADMIN_TOKEN = "status-page-test-token-0123456789";

/**
 * Runs `bin`-equivalent traceway (test/helpers/cli-process.ts) on `yaml`. The file gets the
 * balancer's and the admin listener's addresses in place of `{{LISTEN}}` and `{{ADMIN}}`;
 * `adminPort` reuses a port (a restart on the same address). Resolves once the admin API answers.
 */
export async function startTraceway(yaml: string, options: { adminPort?: number } = {}): Promise<Traceway> {
  const dir = await mkdtemp(join(tmpdir(), "traceway-status-page-"));
  const port = await closedPort();
  const adminPort = options.adminPort ?? (await closedPort());
  const file = join(dir, "traceway.yaml");
  await writeFile(
    file,
    yaml.replaceAll("{{LISTEN}}", `127.0.0.1:${port}`).replaceAll("{{ADMIN}}", `127.0.0.1:${adminPort}`),
  );
  const cli = startCli(["--config", file], { TRACEWAY_ADMIN_TOKEN: ADMIN_TOKEN });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  try {
    await waitFor(
      async () => {
        if (cli.child.exitCode !== null) throw new Error(`traceway exited: ${cli.stderr()}${cli.stdout()}`);
        return (await httpGet(`${adminUrl}/api/v1/openapi.json`)).status === 200;
      },
      { what: "traceway's admin API to answer", timeoutMs: 20_000 },
    );
  } catch (error) {
    await cli.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    cli,
    url: `http://127.0.0.1:${port}`,
    adminUrl,
    adminPort,
    async stop() {
      await cli.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The lines every test config shares: listeners, no Prometheus exporter, quiet logs. */
export const COMMON_YAML = [
  'server: { listen: "{{LISTEN}}" }',
  'admin: { listen: "{{ADMIN}}", token: "${TRACEWAY_ADMIN_TOKEN}", readAccess: loopback }',
  "telemetry: { prometheus: { enabled: false } }",
  "logging: { level: info, accessLog: false }",
].join("\n");

/** Traffic through the balancer from a few concurrent clients, bounded in count and time. */
export interface Load {
  /** Stops sending, waits for requests in flight; resolves with the statuses seen. */
  stop(): Promise<Map<number, number>>;
}

export function startLoad(
  url: string,
  options: { concurrency: number; maxRequests: number; maxMs: number },
): Load {
  const statuses = new Map<number, number>();
  const deadline = Date.now() + options.maxMs;
  let sent = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped && sent < options.maxRequests && Date.now() < deadline) {
      sent += 1;
      const status = await httpGet(url).then(
        (res) => res.status,
        () => 0, // a connection error, counted as status 0
      );
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  const workers = Array.from({ length: options.concurrency }, worker);
  return {
    async stop() {
      stopped = true;
      await Promise.all(workers);
      return statuses;
    },
  };
}
