import assert from "node:assert/strict";
import { after, test } from "node:test";
import { startCli } from "../../helpers/cli-process.ts";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";

const servers: TestBackend[] = [];
after(() => Promise.all(servers.map((s) => s.kill())));

/** Runs the CLI and expects exit 2 with exactly one line on stderr and nothing on stdout. */
async function refused(args: string[]): Promise<string> {
  const cli = startCli(["load", ...args]);
  assert.equal(await cli.exited, 2, cli.stderr());
  assert.equal(cli.stdout(), "");
  const lines = cli
    .stderr()
    .split("\n")
    .filter((l) => l !== "");
  assert.equal(lines.length, 1, cli.stderr());
  return lines[0]!;
}

test("an unknown option: exit 2, one line naming it", async () => {
  const line = await refused(["http://127.0.0.1:1/", "--step-durations", "1s"]);
  assert.equal(line, "traceway load: unknown option '--step-durations' (Did you mean --step-duration?)");
});

test("a bad threshold: exit 2, one line quoting it", async () => {
  const line = await refused(["http://127.0.0.1:1/", "--threshold", "p99<2x"]);
  assert.equal(
    line,
    'traceway load: bad threshold "p99<2x": "2x" is not a duration; write e.g. 500ms, 2s or 250us',
  );
});

test("a URL that refuses: exit 2 before any load, one line naming the URL", async () => {
  const url = `http://127.0.0.1:${await closedPort()}/orders`;
  const line = await refused([url, "--steps", "1", "--step-duration", "1s"]);
  assert.equal(
    line,
    `traceway load: ${url} did not answer: connection refused (ECONNREFUSED); is the server running on that port?`,
  );
});

test("a URL that answers once and then refuses during the warm-up: exit 2", async () => {
  let answered = false;
  const server = await startBackend("once", (req, res) => {
    req.resume();
    res.writeHead(200, { connection: "close", "content-length": 2 }).end("ok");
    if (!answered) void server.kill();
    answered = true;
  });
  servers.push(server);
  const line = await refused([`${server.url}/`, "--steps", "2", "--warmup", "1s", "--step-duration", "1s"]);
  assert.equal(
    line,
    `traceway load: ${server.url}/ refused during the warm-up: connection refused (ECONNREFUSED); is the server running on that port?`,
  );
});
