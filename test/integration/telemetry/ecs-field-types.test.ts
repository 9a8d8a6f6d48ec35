import assert from "node:assert/strict";
import { request } from "node:http";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { LogFormat } from "../../../src/config/types.ts";
import { startCli } from "../../helpers/cli-process.ts";
import { ecsProblems } from "../../helpers/ecs-check.ts";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";

/**
 * Every line traceway writes in one scenario (start, access lines of served, retried, refused and
 * failed requests, a failed WebSocket upgrade with its error, a passive ejection, an active check
 * marking a backend down, a reload, a rejected reload, the drain on SIGTERM), checked field by
 * field against the types of ECS 9.4.0 (test/fixtures/ecs/ecs-fields.ts), in both layouts.
 */
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const EXPECTED_MESSAGES = [
  "traceway listening",
  "access",
  "retrying on another backend after upstream error",
  "backend ejected",
  "websocket upgrade failed",
  "backend down",
  "configuration reloaded",
  "configuration applied",
  "new configuration rejected; keeping the old one",
  "shutting down: draining in-flight requests",
];
const BASE_FIELDS: Record<LogFormat, readonly string[]> = {
  json: ["timestamp", "level", "service_name", "msg"],
  ecs: ["@timestamp", "log.level", "service.name", "ecs.version", "message"],
};

function config(
  format: LogFormat,
  port: number,
  ok: string,
  dead: readonly number[],
  maxFails: number,
): string {
  return `server: { listen: "127.0.0.1:${port}" }
upstreams:
  api:
    backends: [{ url: "${ok}" }, { url: "http://127.0.0.1:${dead[0]}" }]
    passive: { maxFails: ${maxFails} }
  ws:
    backends: [{ url: "http://127.0.0.1:${dead[1]}" }]
    passive: { maxFails: 100 }
  checked:
    backends: [{ url: "http://127.0.0.1:${dead[2]}" }]
    healthCheck: { interval: 100ms, timeout: 100ms, unhealthyThreshold: 1 }
routes:
  - { match: { pathPrefix: /ws }, upstream: ws }
  - { match: { pathPrefix: /checked }, upstream: checked }
  - { match: { pathPrefix: / }, upstream: api }
telemetry: { prometheus: { enabled: false } }
logging: { level: info, accessLog: true, format: ${format} }
`;
}

/** An Upgrade request; resolves with the status traceway answered instead of switching protocols. */
function upgrade(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      agent: false,
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("upgrade", () => reject(new Error("a dead backend cannot switch protocols")));
    req.on("error", reject);
    req.end();
  });
}

async function scenario(format: LogFormat, dir: string, ok: TestBackend): Promise<Record<string, unknown>[]> {
  const port = await closedPort();
  const dead = [await closedPort(), await closedPort(), await closedPort()];
  const file = join(dir, `traceway-${format}.yaml`);
  await writeFile(file, config(format, port, ok.url, dead, 1));
  const cli = startCli(["--config", file]);
  try {
    await cli.waitForOutput(/traceway listening/, "the balancer listening");
    const url = `http://127.0.0.1:${port}`;
    // Round robin over [ok, dead]: one of the two requests fails over from the dead backend.
    for (const flags of ["01", "00"]) {
      const res = await httpGet(`${url}/orders`, {
        headers: { traceparent: `00-${TRACE}-b7ad6b7169203331-${flags}` },
      });
      assert.equal(res.status, 200);
    }
    assert.equal(
      (await httpGet(`${url}/ws/plain`)).status,
      503,
      "every backend refused: 503, as HAProxy and Envoy answer",
    );
    assert.equal(await upgrade(`${url}/ws/socket`), 503);
    await cli.waitForOutput(/backend down/, "the active check marking the checked backend down");
    assert.equal((await httpGet(`${url}/checked`)).status, 503);

    await writeFile(file, config(format, port, ok.url, dead, 2));
    cli.child.kill("SIGHUP");
    await cli.waitForOutput(/configuration applied/, "the reload applied");
    await writeFile(file, config(format, port, "ftp://nope", dead, 2));
    cli.child.kill("SIGHUP");
    await cli.waitForOutput(/new configuration rejected/, "the bad reload rejected");
    assert.equal(await cli.stop(), 0);
  } finally {
    await cli.stop();
  }
  return cli
    .stdout()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("log lines against ECS field types", () => {
  let dir: string;
  let ok: TestBackend;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "traceway-ecs-"));
    ok = await startBackend("ok");
  });
  after(async () => {
    await ok.kill();
    await rm(dir, { recursive: true, force: true });
  });

  for (const format of ["json", "ecs"] as const) {
    it(`logging.format ${format}: every line of the scenario fits ECS types, none collides with an ECS object`, async () => {
      const lines = await scenario(format, dir, ok);
      const messageKey = format === "json" ? "msg" : "message";
      const messages = new Set(lines.map((l) => l[messageKey]));
      for (const expected of EXPECTED_MESSAGES) assert.ok(messages.has(expected), `no "${expected}" line`);
      for (const line of lines) {
        assert.deepEqual(ecsProblems(line, format), [], JSON.stringify(line));
        for (const field of BASE_FIELDS[format])
          assert.ok(field in line, `${field} missing: ${JSON.stringify(line)}`);
        assert.equal(
          Object.keys(line).filter((k) => k.endsWith("_value")).length,
          0,
          "no call site relies on the guard",
        );
      }

      const traceId = format === "json" ? "trace_id" : "trace.id";
      const traced = lines.filter((l) => l[messageKey] === "access" && l[traceId] === TRACE);
      assert.deepEqual(traced.map((l) => l["trace_flags"]).sort(), ["00", "01"]);
      const retried = lines.find((l) => l[messageKey] === "retrying on another backend after upstream error");
      assert.equal(retried?.[traceId], TRACE, "a line logged while serving a request carries its trace");
      const wsFailure = lines.find((l) => l[messageKey] === "websocket upgrade failed");
      assert.equal(wsFailure?.[format === "json" ? "error_code" : "error.code"], "ECONNREFUSED");
    });
  }
});
