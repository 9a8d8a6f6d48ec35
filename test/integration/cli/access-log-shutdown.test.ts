import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Agent, request } from "undici";
import { startCli } from "../../helpers/cli-process.ts";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { waitFor } from "../../helpers/wait-for.ts";

/**
 * Access lines are buffered (src/telemetry/log-sink.ts). None may be lost: N requests, a reload
 * half-way, one request still in flight when SIGTERM arrives, then exactly N + 1 access lines,
 * each once, with stdout a pipe and with stdout a file.
 */
const BEFORE_RELOAD = 150;
const AFTER_RELOAD = 150;
const CONCURRENCY = 10;
const SLOW_MS = 400;

function config(port: number, backend: string, strategy: string): string {
  return `server: { listen: "127.0.0.1:${port}" }
upstreams:
  api:
    strategy: ${strategy}
    backends: [{ url: "${backend}" }]
telemetry: { prometheus: { enabled: false } }
logging: { level: info, accessLog: true }
`;
}

async function send(agent: Agent, url: string, count: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const res = await request(url, { dispatcher: agent });
      assert.equal(res.statusCode, 200);
      await res.body.text();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

describe("access log: no line lost on reload or SIGTERM", () => {
  let dir: string;
  let backend: TestBackend;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "traceway-access-"));
    backend = await startBackend("b", (req, res) => {
      req.resume();
      const wait = req.url === "/slow" ? SLOW_MS : 0;
      setTimeout(() => res.writeHead(200, { "content-type": "text/plain" }).end("ok"), wait);
    });
  });
  after(async () => {
    await backend.kill();
    await rm(dir, { recursive: true, force: true });
  });

  for (const output of ["pipe", "file"] as const) {
    it(`stdout a ${output}: N requests, a reload and a drained request give exactly N + 1 access lines`, async () => {
      const port = await closedPort();
      const file = join(dir, `traceway-${output}.yaml`);
      await writeFile(file, config(port, backend.url, "round_robin"));
      const cli = startCli(
        ["--config", file],
        {},
        output === "file" ? { stdoutFile: join(dir, "out.log") } : {},
      );
      const agent = new Agent({ connections: CONCURRENCY });
      try {
        await cli.waitForOutput(/traceway listening/, "the balancer listening");
        const url = `http://127.0.0.1:${port}`;
        await send(agent, `${url}/fast`, BEFORE_RELOAD);
        await writeFile(file, config(port, backend.url, "least_conn"));
        cli.child.kill("SIGHUP");
        await cli.waitForOutput(/configuration applied/, "the reload applied");
        await send(agent, `${url}/fast`, AFTER_RELOAD);

        const slowSeen = (): number => backend.requests.filter((r) => r.url === "/slow").length;
        const before = slowSeen();
        const slow = request(`${url}/slow`, { dispatcher: agent });
        // SIGTERM once this slow request is at the backend (the backend serves both tests: count them).
        await waitFor(() => slowSeen() > before, {
          what: "the slow request at the backend",
          intervalMs: 5,
        });
        cli.child.kill("SIGTERM");
        const res = await slow;
        assert.equal(res.statusCode, 200);
        await res.body.text();
        assert.equal(await cli.exited, 0);
      } finally {
        await agent.close();
        await cli.stop();
      }

      const lines = cli
        .stdout()
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const access = lines.filter((l) => l["msg"] === "access");
      assert.equal(access.length, BEFORE_RELOAD + AFTER_RELOAD + 1);
      assert.equal(new Set(access.map((l) => l["trace_id"])).size, access.length, "each request's line once");
      // The config's one route, "/", as its path template (http.route) names it.
      assert.equal(access.filter((l) => l["route"] === "/*" && l["status"] === 200).length, access.length);
      assert.ok(
        lines.findIndex((l) => l["msg"] === "shutting down: draining in-flight requests") <
          lines.findLastIndex((l) => l["msg"] === "access"),
        "the drained request's line is written after the shutdown began",
      );
    });
  }
});
