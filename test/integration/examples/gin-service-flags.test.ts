import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { before, test } from "node:test";
import { promisify } from "node:util";
import { BUILD_TIMEOUT_MS, ginServiceBinary } from "./example-processes.ts";

// Bad settings stop the service before it binds anything: one line naming the problem, exit 2.
const run = promisify(execFile);
let binary: string;

before(
  async () => {
    binary = await ginServiceBinary();
  },
  { timeout: BUILD_TIMEOUT_MS },
);

async function attempt(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(binary, args, { env: { ...process.env, ...env }, timeout: 10_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
  ["an unknown flag", ["--nope"], {}, /flag provided but not defined: -nope/],
  ["a malformed duration", ["--ttl", "soon"], {}, /invalid value "soon" for flag -ttl/],
  ["a TTL that is not whole seconds", ["--ttl", "1500ms"], {}, /--ttl 1.5s: must be whole seconds/],
  ["an error rate above 1", ["--error-rate", "1.5"], {}, /--error-rate 1.5: must be between 0 and 1/],
  [
    "a prefix without a trailing slash",
    ["--prefix", "/services/api"],
    {},
    /--prefix "\/services\/api": must start and end with \//,
  ],
  ["a listen address without a port", ["--listen", "localhost"], {}, /--listen "localhost": want host:port/],
  [
    "an etcd endpoint without a scheme",
    ["--etcd", "127.0.0.1:2379"],
    {},
    /--etcd "127.0.0.1:2379": want http:\/\/host:port/,
  ],
  ["a bad variable", [], { GIN_SERVICE_ERROR_RATE: "lots" }, /GIN_SERVICE_ERROR_RATE="lots": want a number/],
  ["a stray argument", ["serve"], {}, /unexpected argument "serve"/],
];

for (const [what, args, env, message] of cases) {
  void test(`${what}: one line on stderr, exit 2`, async () => {
    const result = await attempt(args, env);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^gin-service: /);
    assert.match(lines[0]!, message);
  });
}

void test("--help lists every flag with its variable and exits 0", async () => {
  const result = await attempt(["--help"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /--listen\s.*\(env GIN_SERVICE_LISTEN, default "127.0.0.1:8080"\)/);
  assert.match(result.stdout, /--shutdown-delay\s.*\(env GIN_SERVICE_SHUTDOWN_DELAY, default "1s"\)/);
});
