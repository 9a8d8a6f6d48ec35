import assert from "node:assert/strict";
import { createHash, timingSafeEqual } from "node:crypto";
import { test } from "node:test";
import { bearerToken, createTokenComparer, type ComparerPrimitives } from "../../../src/admin/token-auth.ts";

// The comparer's steps must not depend on the presented token: how much of it matches a
// configured one, how long it is, or which entry it matches. Checked on the code path (what it
// compares, how often, with what lengths), not on the wall clock.

const TOKENS = [
  { name: "ops", token: "ops-token-0123456789abcdef" },
  { name: "deploy", token: "deploy-token-fedcba9876543210" },
  { name: "ci", token: "ci-token-00112233445566778899" },
];

/** Real primitives that record every step: what was digested, and the lengths compared. */
function recording(): { primitives: ComparerPrimitives; steps: string[] } {
  const steps: string[] = [];
  return {
    steps,
    primitives: {
      digest: (token) => {
        steps.push("digest");
        return createHash("sha256").update(token, "utf8").digest();
      },
      equal: (x, y) => {
        steps.push(`equal ${x.length} ${y.length}`);
        return timingSafeEqual(x, y);
      },
    },
  };
}

function stepsFor(presented: string): { name: string | undefined; steps: string[] } {
  const { primitives, steps } = recording();
  const compare = createTokenComparer(TOKENS, primitives);
  steps.length = 0; // the configured tokens' digests are made once, up front
  return { name: compare(presented), steps };
}

test("the same steps whatever the token: no prefix, a long prefix, all but one character, another length, a match", () => {
  const target = TOKENS[1]!.token;
  const candidates = {
    nothing: "",
    "no common prefix": "x".repeat(target.length),
    "8 characters match": target.slice(0, 8) + "x".repeat(target.length - 8),
    "all but the last": target.slice(0, -1) + "x",
    "twice as long": target + target,
    "one character": "d",
    "the first entry": TOKENS[0]!.token,
    "the last entry": TOKENS[2]!.token,
    "the matching token": target,
  };
  const reference = stepsFor("anything").steps;
  // One digest of the presented token, then one constant-time comparison per configured token,
  // always of two 32-byte digests, never stopping early.
  assert.deepEqual(reference, ["digest", "equal 32 32", "equal 32 32", "equal 32 32"]);
  for (const [what, presented] of Object.entries(candidates)) {
    assert.deepEqual(stepsFor(presented).steps, reference, what);
  }
  assert.equal(stepsFor(target).name, "deploy");
  assert.equal(stepsFor(TOKENS[2]!.token).name, "ci");
  assert.equal(stepsFor(target.slice(0, -1) + "x").name, undefined);
});

test("the default primitives are SHA-256 and crypto.timingSafeEqual", () => {
  const compare = createTokenComparer(TOKENS);
  assert.equal(compare("ops-token-0123456789abcdef"), "ops");
  assert.equal(compare("ops-token-0123456789abcdeF"), undefined);
  assert.equal(compare(""), undefined);
});

test("bearerToken takes the token of a Bearer header only", () => {
  assert.equal(bearerToken("Bearer abc"), "abc");
  assert.equal(bearerToken("bearer   abc "), "abc");
  assert.equal(bearerToken("Basic abc"), undefined);
  assert.equal(bearerToken("Bearer"), undefined);
  assert.equal(bearerToken("Bearer a b"), undefined);
  assert.equal(bearerToken(undefined), undefined);
});
