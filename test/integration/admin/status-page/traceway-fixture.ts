import { join } from "node:path";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../../helpers/traceway-cli.ts";

/** The admin token of these tests (`${TRACEWAY_ADMIN_TOKEN}` in their configs). */
export const ADMIN_TOKEN = "status-page-test-token-0123456789";

/** A traceway process with its admin listener, where the status page is. */
export interface Traceway extends TracewayCli {
  readonly adminUrl: string;
}

/** Runs traceway on `yaml` (test/helpers/traceway-cli.ts); the config must have an `admin` block. */
export async function startTraceway(yaml: string): Promise<Traceway> {
  const scratch = await scratchDir();
  try {
    const traceway = await startTracewayCli(join(scratch.dir, "traceway.yaml"), yaml, {
      TRACEWAY_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    const { adminUrl } = traceway;
    if (adminUrl === undefined) throw new Error(`no admin listener in:\n${yaml}`);
    return {
      ...traceway,
      adminUrl,
      async stop() {
        const code = await traceway.stop();
        await scratch.remove();
        return code;
      },
    };
  } catch (error) {
    await scratch.remove();
    throw error;
  }
}

/**
 * A config with an admin listener and the given `upstreams:` lines, both listeners on loopback
 * (port 0 unless `admin` names an address: a restart on the same one).
 */
export function statusPageYaml(
  upstreams: readonly string[],
  options: { admin?: string; readAccess?: "loopback" | "token" } = {},
): string {
  return [
    'server: { listen: "127.0.0.1:0" }',
    `admin: { listen: "${options.admin ?? "127.0.0.1:0"}", token: "\${TRACEWAY_ADMIN_TOKEN}", readAccess: ${options.readAccess ?? "loopback"} }`,
    "telemetry: { prometheus: { enabled: false } }",
    "logging: { level: info, accessLog: false }",
    "upstreams:",
    ...upstreams,
  ].join("\n");
}

/** The `host:port` a backend is named by on the page (and in the API). */
export const nameOf = (backend: { url: string }): string => new URL(backend.url).host;
