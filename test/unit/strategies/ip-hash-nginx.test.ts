import assert from "node:assert/strict";
import { test } from "node:test";
import type { Candidate } from "../../../src/pool/candidate.ts";
import { addressBytes, createIpHashNginx } from "../../../src/strategies/ip-hash-nginx.ts";
import type { Member } from "../../../src/strategies/strategy.ts";
import { ManualClock, seededRandom } from "../../../src/shared/clock.ts";

// The expected backends below were worked out by hand from nginx's rule (hash = 89, then for each
// byte hash = (hash * 113 + byte) % 6271; the member whose weight share holds hash % total weight;
// on a member that may not be used, hash again from there), e.g. 192.168.1.x: 89 → 3978 → 4441 →
// 154, and 154 % 5 = 4 falls in c's share of a:3 b:1 c:1.
const members: Member[] = [
  { id: "a", weight: 3, backup: false },
  { id: "b", weight: 1, backup: false },
  { id: "c", weight: 1, backup: false },
];
const candidate = (m: Member): Candidate => ({ id: m.id, effectiveWeight: m.weight, inFlight: 0 });
const all = members.map(candidate);
const deps = { clock: new ManualClock(), random: seededRandom(1), members: () => members };
const clients = [
  "192.168.1.10",
  "192.168.1.200",
  "10.0.0.1",
  "172.16.5.4",
  "2001:db8::1",
  "8.8.8.8",
  "127.0.0.1",
];

void test("ip_hash_nginx hashes the first three octets of IPv4 and all of IPv6, as nginx does", () => {
  assert.deepEqual(addressBytes("192.168.1.10"), [192, 168, 1]);
  assert.deepEqual(addressBytes("2001:db8::1"), [0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), 1]);
  assert.deepEqual(addressBytes("::ffff:10.1.2.3").slice(10), [0xff, 0xff, 10, 1, 2, 3]);
  assert.deepEqual(addressBytes("not an address"), [0, 0, 0], "nginx's pseudo address for non-IP peers");
});

void test("ip_hash_nginx: with every member up, each client goes where nginx sends it (weights 3,1,1)", () => {
  const s = createIpHashNginx(deps);
  assert.deepEqual(
    clients.map((hashKey) => s.pick(all, { hashKey })?.id),
    ["c", "c", "a", "a", "a", "b", "a"],
  );
});

void test("ip_hash_nginx: a member that may not be used moves only its own clients, by nginx's rehash", () => {
  const s = createIpHashNginx(deps);
  const withoutA = all.filter((c) => c.id !== "a");
  // 10.0.0.1 lands on b at the 2nd hash, 2001:db8::1 on b at the 6th, 127.0.0.1 on c at the 5th.
  assert.deepEqual(
    clients.map((hashKey) => s.pick(withoutA, { hashKey })?.id),
    ["c", "c", "b", "c", "b", "b", "c"],
  );
});

void test("ip_hash_nginx: consecutive /24s take the members in turn when weights are equal", () => {
  const equal: Member[] = members.map((m) => ({ ...m, weight: 1 }));
  const s = createIpHashNginx({ ...deps, members: () => equal });
  const picks = Array.from(
    { length: 12 },
    (_, i) => s.pick(equal.map(candidate), { hashKey: `10.0.${i}.1` })?.id,
  );
  assert.deepEqual(picks, ["a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b", "c"]);
});

void test("ip_hash_nginx: used on its own, the candidates are the member list", () => {
  const s = createIpHashNginx();
  assert.deepEqual(
    clients.map((hashKey) => s.pick(all, { hashKey })?.id),
    ["c", "c", "a", "a", "a", "b", "a"],
  );
});

void test("ip_hash_nginx: when no member can be used (only backups up) it falls back to weighted round robin", () => {
  const backups: Candidate[] = [
    { id: "x", effectiveWeight: 2, inFlight: 0 },
    { id: "y", effectiveWeight: 1, inFlight: 0 },
  ];
  const s = createIpHashNginx(deps);
  const picks = Array.from({ length: 6 }, () => s.pick(backups, { hashKey: "10.0.0.1" })?.id);
  assert.deepEqual(picks, ["x", "y", "x", "x", "y", "x"]);
});
