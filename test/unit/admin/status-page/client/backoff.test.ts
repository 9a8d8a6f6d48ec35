import assert from "node:assert/strict";
import { test } from "node:test";
import { clientModule } from "./client-module.ts";

const { backoffMs } = await clientModule<{ backoffMs: (failures: number) => number }>("event-stream.js");

void test("reconnect delays double from 0.5 s to at most 5 s, each within ±20% jitter", () => {
  const bases = [500, 1000, 2000, 4000, 5000, 5000, 5000];
  bases.forEach((base, i) => {
    for (let n = 0; n < 200; n++) {
      const delay = backoffMs(i + 1);
      assert.ok(delay >= base * 0.8 && delay <= base * 1.2, `attempt ${i + 2}: ${delay} ms vs ${base}`);
    }
  });
});

void test("the jitter spreads pages apart: delays after one failure are not all equal", () => {
  const delays = new Set(Array.from({ length: 50 }, () => backoffMs(1)));
  assert.ok(delays.size > 10, `${delays.size} distinct delays of 50`);
});
