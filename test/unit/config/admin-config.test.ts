import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { checkConfigCommand } from "../../../src/config/check-config.ts";
import { parseConfigText } from "../../../src/config/load.ts";
import { problemsOf } from "./problems.ts";

const UPSTREAM = 'upstreams: { api: { backends: [{ url: "http://127.0.0.1:8001" }] } }\n';
const LONG = "0123456789abcdef";

test("check-config refuses an admin token shorter than 16 characters, naming its length, never its value", async () => {
  const dir = mkdtempSync(join(tmpdir(), "traceway-admin-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "traceway.yaml");
  writeFileSync(file, `admin: { token: "short-secret" }\n${UPSTREAM}`);
  let text = "";
  const code = await checkConfigCommand(file, { write: (chunk: string) => (text += chunk) }, { env: {} });
  assert.equal(code, 1);
  assert.deepEqual(text.trimEnd().split("\n"), [
    "admin.token: is 12 characters long; an admin token needs at least 16",
    `invalid: 1 problem in ${file}`,
  ]);
  assert.doesNotMatch(text, /short-secret/);
});

test("admin settings: defaults, the short form, the list, and what is refused", () => {
  const { config } = parseConfigText(`admin: { token: "${LONG}" }\n${UPSTREAM}`, { env: {} });
  assert.deepEqual(config.admin, {
    enabled: true,
    host: "127.0.0.1",
    port: 9901,
    tokens: [{ name: "admin", token: LONG }],
    readAccess: "token",
  });
  const list = parseConfigText(
    `admin: { listen: "0.0.0.0:9000", readAccess: loopback, tokens: [{ name: ops, token: "${LONG}" }] }\n${UPSTREAM}`,
    { env: {} },
  ).config.admin;
  assert.deepEqual(
    [list?.host, list?.port, list?.readAccess, list?.tokens[0]?.name],
    ["0.0.0.0", 9000, "loopback", "ops"],
  );
  assert.equal(parseConfigText(UPSTREAM, { env: {} }).config.admin, undefined, "off without an admin block");

  assert.deepEqual(problemsOf(`admin: { listen: "127.0.0.1:9901" }\n${UPSTREAM}`), [
    "admin: needs token or tokens: every write is authenticated",
  ]);
  assert.deepEqual(
    problemsOf(
      `admin: { tokens: [{ name: a, token: "${LONG}" }, { name: a, token: "${LONG}" }] }\n${UPSTREAM}`,
    ),
    [
      'admin.tokens[1].name: duplicate token name "a"',
      "admin.tokens[1].token: the same token as an earlier entry",
    ],
  );
  assert.deepEqual(
    problemsOf(`admin: { token: "${LONG}", tokens: [{ name: a, token: "${LONG}x" }] }\n${UPSTREAM}`),
    ["admin.tokens: give token (one, named by tokenName) or tokens (a list), not both"],
  );
  assert.deepEqual(problemsOf(`admin: { token: "${LONG}", readAccess: open }\n${UPSTREAM}`), [
    'admin.readAccess: unknown read access "open"; valid: token, loopback',
  ]);
});
