import assert from "node:assert/strict";
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { test } from "node:test";
import type { CanaryConfig } from "../../../src/config/types.ts";
import { UpstreamPool } from "../../../src/pool/upstream-pool.ts";
import { ManualClock } from "../../../src/shared/clock.ts";
import { createStrategy } from "../../../src/strategies/registry.ts";
import { CanarySplit, SET_COOKIE, TO_CANARY } from "../../../src/upstream/canary-split.ts";

function split(overrides: Partial<CanaryConfig> = {}): CanarySplit {
  const clock = new ManualClock();
  const config = { stickiness: undefined, header: undefined, ...overrides } as CanaryConfig;
  return new CanarySplit(
    {
      pool: new UpstreamPool("api", [], { clock, slowStartMs: 0, panicMode: false }),
      strategy: createStrategy("round_robin", { clock, random: Math.random }),
      passive: { record: () => {} },
    },
    config,
  );
}

function request(headers: Record<string, string> = {}): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = headers;
  return req;
}

test("over every 100 requests the canary gets exactly its share, spread out, not bunched", () => {
  for (const share of [1, 5, 25, 33, 50, 99]) {
    const s = split();
    s.setState({ share, runTag: "t" });
    const sides = Array.from({ length: 1000 }, () => s.choose(request()) & TO_CANARY);
    for (let i = 0; i < 1000; i += 100) {
      assert.equal(
        sides.slice(i, i + 100).filter(Boolean).length,
        share,
        `share ${share}, requests ${i}..${i + 99}`,
      );
    }
  }
  const s = split();
  s.setState({ share: 25, runTag: "t" });
  assert.deepEqual(
    Array.from({ length: 8 }, () => s.choose(request()) & TO_CANARY),
    [0, 0, 0, 1, 0, 0, 0, 1],
  );
});

test("share 0 and 100 send everything one way; the header and cookie count only while the canary is live", () => {
  const s = split({ stickiness: { cookie: "tw" }, header: "x-canary" });
  s.setState({ share: 0, runTag: "t" });
  assert.equal(s.choose(request({ "x-canary": "always", cookie: "tw=canary.t" })), 0);
  s.setState({ share: 100, runTag: "t" });
  assert.equal(s.choose(request({ "x-canary": "never", cookie: "tw=stable.t" })), TO_CANARY);
});

test("stickiness: a placed client keeps its side, new ones are placed with a cookie, other runs' cookies are ignored", () => {
  const s = split({ stickiness: { cookie: "tw" } });
  s.setState({ share: 50, runTag: "abc" });
  assert.equal(s.choose(request({ cookie: "a=1; tw=canary.abc" })), TO_CANARY);
  assert.equal(s.choose(request({ cookie: "tw=stable.abc; b=2" })), 0);
  assert.equal(
    s.choose(request({ cookie: "xtw=canary.abc" })) & SET_COOKIE,
    SET_COOKIE,
    "a cookie with a longer name is not ours",
  );
  assert.equal(
    s.choose(request({ cookie: "tw=canary.old" })) & SET_COOKIE,
    SET_COOKIE,
    "another run's cookie is replaced",
  );
  assert.equal(s.setCookieFor(true), "tw=canary.abc; Path=/; HttpOnly; SameSite=Lax");
});

test("the override header forces a side and leaves the split's count alone", () => {
  const s = split({ header: "x-canary" });
  s.setState({ share: 50, runTag: "t" });
  assert.equal(s.choose(request({ "x-canary": "canary" })), TO_CANARY);
  assert.equal(s.choose(request({ "x-canary": "stable" })), 0);
  assert.deepEqual(
    Array.from({ length: 4 }, () => s.choose(request())),
    [0, TO_CANARY, 0, TO_CANARY],
  );
});
