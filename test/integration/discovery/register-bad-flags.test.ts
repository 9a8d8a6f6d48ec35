import assert from "node:assert/strict";
import { test } from "node:test";
import { startCli } from "../../helpers/cli-process.ts";

// Bad flags: one line that names the flag, exit 2, and nothing registered.
const BASE = [
  "register",
  "--etcd",
  "http://127.0.0.1:1",
  "--prefix",
  "/services/api/",
  "--url",
  "http://127.0.0.1:8080",
];

const CASES: Array<{ args: string[]; line: RegExp }> = [
  {
    args: ["register", "--prefix", "/s/", "--url", "http://a:1"],
    line: /^traceway register: --etcd is required$/,
  },
  { args: [...BASE, "--ttl", "1.5s"], line: /^traceway register: --ttl: etcd leases last whole seconds/ },
  {
    args: [...BASE, "--weight", "0"],
    line: /^traceway register: --weight: must be a whole number 1\.\.1000, got "0"$/,
  },
  { args: [...BASE, "--metadata", "novalue"], line: /^traceway register: --metadata: expected KEY=VALUE/ },
  { args: [...BASE, "--format", "json"], line: /^traceway register: --format: unknown format "json"/ },
  { args: [...BASE.slice(0, 4), "/services/api", ...BASE.slice(5)], line: /--prefix: must end with "\/"/ },
  {
    args: [...BASE, "--cacert", "/nonexistent/ca.pem"],
    line: /--cacert\/--cert\/--key need https:\/\/ --etcd/,
  },
  { args: [...BASE, "--bogus"], line: /^error: unknown option '--bogus'$/ },
];

for (const { args, line } of CASES) {
  void test(`traceway ${args.join(" ")} → exit 2`, async () => {
    const cli = startCli(args);
    assert.equal(await cli.exited, 2);
    const lines = cli.stderr().trimEnd().split("\n");
    assert.equal(lines.length, 1, cli.stderr());
    assert.match(lines[0] ?? "", line);
    assert.equal(cli.stdout(), "");
  });
}
