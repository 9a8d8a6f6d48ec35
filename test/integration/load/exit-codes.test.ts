import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startCli } from "../../helpers/cli-process.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";

let server: TestBackend;
before(async () => {
  server = await startBackend("fast", (req, res) => {
    req.resume();
    res.writeHead(req.url === "/fail" ? 503 : 200, { "content-length": 2 }).end("ok");
  });
});
after(() => server.kill());

const load = (path: string, thresholds: string[]) =>
  startCli([
    "load",
    `${server.url}${path}`,
    "--steps",
    "2,4",
    "--step-duration",
    "1s",
    "--warmup",
    "0",
    ...thresholds.flatMap((t) => ["--threshold", t]),
  ]);

test("exit 0 when every threshold held at every step", async () => {
  const cli = load("/", ["p99<5s", "errors<1%", "rps>1"]);
  assert.equal(await cli.exited, 0, cli.stderr());
  assert.match(cli.stdout(), /^thresholds: all held at every step$/m);
});

test("exit 1 when a threshold broke, naming the first step and the value it saw", async () => {
  const cli = load("/fail", ["p99<5s", "errors<0.5%"]);
  assert.equal(await cli.exited, 1, cli.stderr());
  assert.match(cli.stdout(), /^thresholds: first broken at step 1: errors<0\.5% \(was 100\.00%\)$/m);
  assert.match(cli.stdout(), /^1 .* ✗ errors<0\.5%$/m);
});
