import pino from "pino";
import { startAdmin, type RunningAdmin } from "../../../src/admin/admin-server.ts";
import type { AdminConfig } from "../../../src/config/types.ts";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";
import { AUTH, TOKEN } from "../canary/canary-fixture.ts";

export { AUTH, TOKEN };

/** The YAML of a one-upstream traceway with an admin listener, both on ephemeral loopback ports. */
export function adminYaml(backends: readonly TestBackend[], upstream = "", admin = ""): string {
  return `server: { listen: "127.0.0.1:0", shutdownTimeout: 5s }
admin: { listen: "127.0.0.1:0", tokens: [{ name: ops, token: "${TOKEN}" }]${admin} }
telemetry: { prometheus: { enabled: false } }
logging: { level: info, accessLog: false }
upstreams:
  api:
    backends: [${backends.map((b) => `{ url: "${b.url}" }`).join(", ")}]
${upstream}`;
}

/** A JSON request to the admin API; returns status and parsed body. */
export async function adminCall(
  adminUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = AUTH,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${adminUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === "" ? undefined : (JSON.parse(text) as unknown),
    headers: response.headers,
  };
}

/** The stable error code of an admin error body. */
export function codeOf(body: unknown): string {
  return (body as { error: { code: string } }).error.code;
}

/** One backend, a balancer over it as upstream `api`, and the admin API in this process. */
export interface InProcessAdmin {
  readonly backend: TestBackend;
  readonly balancer: RunningBalancer;
  readonly admin: RunningAdmin;
  close(): Promise<void>;
}

/** Starts an {@link InProcessAdmin} whose admin listener takes token `ops` and the given read access. */
export async function startInProcessAdmin(readAccess: AdminConfig["readAccess"]): Promise<InProcessAdmin> {
  const backend = await startBackend("b");
  const balancer = await startBalancer({ config: testConfig([testUpstream("api", [backend.url])]) });
  const admin = await startAdmin(
    { enabled: true, host: "127.0.0.1", port: 0, tokens: [{ name: "ops", token: TOKEN }], readAccess },
    { control: balancer.control, logger: pino({ level: "silent" }) },
  );
  return {
    backend,
    balancer,
    admin,
    async close() {
      await admin.close();
      await balancer.close();
      await backend.kill();
    },
  };
}
