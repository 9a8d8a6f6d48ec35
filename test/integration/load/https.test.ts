import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startCli } from "../../helpers/cli-process.ts";
import { REPO_ROOT } from "../../helpers/services.ts";
import { runLoadInProcess } from "./run-in-process.ts";

/** A self-signed certificate for 127.0.0.1, valid until 2126: test-only, never trusted anywhere. */
const TLS = join(REPO_ROOT, "test", "fixtures", "tls");

let server: Server;
let url: string;
before(async () => {
  server = createServer(
    { key: readFileSync(join(TLS, "self-signed.key")), cert: readFileSync(join(TLS, "self-signed.crt")) },
    (req, res) => {
      req.resume();
      res.writeHead(200, { "content-length": 2 }).end("ok");
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test("https: with --insecure a self-signed server is loaded over keep-alive TLS", async () => {
  const { code, report } = await runLoadInProcess(url, {
    steps: "2",
    stepDuration: "1s",
    warmup: "0",
    insecure: true,
  });
  assert.equal(code, 0);
  const [step] = report.steps;
  assert.ok(step !== undefined && step.requests > 0);
  assert.deepEqual([step.errors, step.statuses], [0, { "200": step.requests }]);
});

test("https: without --insecure the certificate is checked and the run refused with exit 2", async () => {
  const cli = startCli(["load", url, "--steps", "1", "--step-duration", "1s"]);
  assert.equal(await cli.exited, 2);
  assert.equal(
    cli.stderr(),
    `traceway load: ${url} did not answer: the server's TLS certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT); --insecure skips the check\n`,
  );
});
