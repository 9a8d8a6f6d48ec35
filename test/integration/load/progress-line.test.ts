import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startCli } from "../../helpers/cli-process.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";

let server: TestBackend;
before(async () => {
  server = await startBackend("fast");
});
after(() => server.kill());

test("without a terminal, stderr gets a progress line at the steady interval and stdout only the table", async () => {
  const cli = startCli([
    "load",
    `${server.url}/`,
    "--steps",
    "2,4",
    "--step-duration",
    "2s",
    "--warmup",
    "0",
    "--progress-interval",
    "500ms",
  ]);
  assert.equal(await cli.exited, 0, cli.stderr());
  const progress = cli
    .stderr()
    .split("\n")
    .filter((l) => l.startsWith("step "));
  const pattern =
    /^step [12]\/2 \([24] conns\) {2}\d\.\d\/2\.0s {2}[\d,.]+ req\/s {2}p50 [\d.]+ (µs|ms) {2}p99 [\d.]+ (µs|ms|s) {2}errors 0 \(0\.00%\)$/;
  for (const line of progress) assert.match(line, pattern);
  // Two steps of 2 s with a line every 0.5 s: three or four lines each (the first after 0.5 s).
  assert.ok(progress.length >= 4 && progress.length <= 8, progress.join("\n"));
  assert.ok(!cli.stdout().includes("req/s  p50"), "progress lines stay off stdout");
  assert.match(cli.stdout(), /^step +load +req\/s/);
});
