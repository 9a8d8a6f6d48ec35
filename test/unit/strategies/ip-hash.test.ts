import assert from "node:assert/strict";
import { test } from "node:test";
import { createIpHash } from "../../../src/strategies/ip-hash.ts";
import type { Candidate } from "../../../src/pool/candidate.ts";

const cs: Candidate[] = [1, 2, 3, 4].map((i) => ({ id: `http://b${i}:80`, effectiveWeight: 1, inFlight: 0 }));

void test("ip_hash sends a client IP to the same backend and spreads neighbouring IPs", () => {
  const ih = createIpHash();
  const seen = new Set<string>();
  for (let i = 1; i <= 254; i++) {
    const hashKey = `192.168.1.${i}`;
    const id = ih.pick(cs, { hashKey })!.id;
    assert.equal(ih.pick(cs, { hashKey })!.id, id);
    seen.add(id);
  }
  assert.equal(seen.size, cs.length);
});

void test("ip_hash: a client whose backend survives keeps it when another backend leaves", () => {
  const ih = createIpHash();
  const without = cs.slice(1);
  for (let i = 0; i < 5000; i++) {
    const hashKey = `10.${(i >> 8) & 255}.${i & 255}.7`;
    const before = ih.pick(cs, { hashKey })!.id;
    if (before !== cs[0]!.id) assert.equal(ih.pick(without, { hashKey })!.id, before);
  }
});
