import type { IncomingMessage, ServerResponse } from "node:http";
import { startBackend, type Handler, type TestBackend } from "../../helpers/http-backend.ts";

/** The admin token canary and admin tests use (a test value, 32 characters). */
export const TOKEN = "test-token-0123456789abcdef-0000";
export const AUTH = { authorization: `Bearer ${TOKEN}` };

/** A backend that answers 200 with its name after `delayMs`. */
export function slowBackend(name: string, delayMs: number): Promise<TestBackend> {
  const handler: Handler = (req: IncomingMessage, res: ServerResponse, backend: TestBackend) => {
    req.resume();
    const timer = setTimeout(
      () => res.writeHead(200, { "x-backend": backend.name }).end(backend.name),
      delayMs,
    );
    res.once("close", () => clearTimeout(timer));
  };
  return startBackend(name, handler);
}

/** A backend whose every `n`-th answer is a 500 (deterministic: a rate of 1/n). */
export function failingEvery(name: string, n: number): Promise<TestBackend> {
  let count = 0;
  return startBackend(name, (req, res, backend) => {
    req.resume();
    count++;
    res.writeHead(count % n === 0 ? 500 : 200, { "x-backend": backend.name }).end(backend.name);
  });
}

/** The YAML of a one-upstream traceway with an admin listener, both on ephemeral loopback ports. */
export function canaryYaml(stable: readonly TestBackend[], canaryBlock: string, extra = ""): string {
  return `server: { listen: "127.0.0.1:0", shutdownTimeout: 5s }
admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
telemetry: { prometheus: { enabled: false } }
logging: { level: info, accessLog: false }
upstreams:
  api:
    backends: [${stable.map((b) => `{ url: "${b.url}" }`).join(", ")}]
    timeouts: { response: 10s }
${extra}    canary:
${canaryBlock
  .trim()
  .split("\n")
  .map((line) => `      ${line}`)
  .join("\n")}
`;
}

/** GET an admin API path as JSON. */
export async function adminGet<T>(adminUrl: string, path: string): Promise<T> {
  const response = await fetch(`${adminUrl}${path}`, { headers: AUTH });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
