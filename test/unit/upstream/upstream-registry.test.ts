import assert from "node:assert/strict";
import { test } from "node:test";
import type { BackendSpec, UpstreamConfig } from "../../../src/config/types.ts";
import type { DiscoveryProvider } from "../../../src/discovery/provider.ts";
import { ManualClock, seededRandom } from "../../../src/shared/clock.ts";
import { UpstreamRegistry } from "../../../src/upstream/upstream-registry.ts";
import { testUpstream } from "../../helpers/test-config.ts";

const spec = (port: number): BackendSpec => ({ url: `http://127.0.0.1:${port}`, weight: 1, backup: false });

/** Providers the test drives: each remembers its reporter; `failing` ones reject on start. */
function harness(options: { failing?: boolean } = {}) {
  const clock = new ManualClock(1000);
  const started: {
    provider: DiscoveryProvider;
    report: (specs: readonly BackendSpec[]) => void;
    stopped: boolean;
  }[] = [];
  const errors: string[] = [];
  let removals = 0;
  const registry = new UpstreamRegistry({
    clock,
    random: seededRandom(1),
    events: {
      onHealthChange: () => {},
      onEjection: () => {},
      onDiscoveryError: (e) => errors.push(`${e.upstream}/${e.provider}: ${String(e.error)}`),
    },
    onBackendsRemoved: () => removals++,
    createProvider: (upstream: UpstreamConfig) => {
      const entry = {
        provider: {} as DiscoveryProvider,
        report: (_specs: readonly BackendSpec[]) => {},
        stopped: false,
      };
      entry.provider = {
        name: "test",
        start(onChange) {
          entry.report = (specs) => onChange(upstream.name, specs);
          return options.failing ? Promise.reject(new Error("cannot reach the source")) : Promise.resolve();
        },
        stop() {
          entry.stopped = true;
          return Promise.resolve();
        },
      };
      started.push(entry);
      return entry.provider;
    },
  });
  return { clock, registry, started, errors, removals: () => removals };
}

const config = (name: string, overrides: Partial<UpstreamConfig> = {}): ReadonlyMap<string, UpstreamConfig> =>
  new Map([[name, testUpstream(name, [], overrides)]]);

void test("a pool starts empty and takes each snapshot whole; unchanged backends keep their state", () => {
  const h = harness();
  const views = h.registry.apply(config("api"));
  const pool = views.get("api")?.pool;
  assert.ok(pool);
  assert.deepEqual(pool.candidates(), []);

  h.started[0]?.report([spec(1), spec(2)]);
  const [one, two] = pool.backends;
  assert.ok(one && two);
  one.inFlight = 3;
  pool.eject(two, 5000);
  h.started[0]?.report([spec(2), spec(1), spec(3)]);
  assert.deepEqual(
    pool.backends.map((b) => [b.label, b.inFlight, b.ejectedUntil]),
    [
      ["127.0.0.1:2", 0, 5000],
      ["127.0.0.1:1", 3, 0],
      ["127.0.0.1:3", 0, 0],
    ],
  );
  assert.equal(h.removals(), 0);
  h.started[0]?.report([spec(3)]);
  assert.deepEqual(
    pool.backends.map((b) => b.label),
    ["127.0.0.1:3"],
  );
  assert.equal(h.removals(), 1, "the owner hears of removals, to free their connections");
});

void test("the first snapshot is the start-up set; later additions slow-start", () => {
  const h = harness();
  const pool = h.registry.apply(config("api", { slowStartMs: 10_000 })).get("api")?.pool;
  assert.ok(pool);
  h.started[0]?.report([spec(1)]);
  h.clock.advance(1);
  h.started[0]?.report([spec(1), spec(2)]);
  assert.deepEqual(
    pool.candidates().map((b) => b.effectiveWeight),
    [1, 0.01],
  );
});

void test("a reload replaces the provider: the old one is stopped and no longer feeds the pool", () => {
  const h = harness();
  const pool = h.registry.apply(config("api")).get("api")?.pool;
  h.started[0]?.report([spec(1)]);
  const again = h.registry.apply(config("api")).get("api")?.pool;
  assert.equal(again, pool, "the pool survives the reload");
  assert.equal(h.started[0]?.stopped, true);
  h.started[0]?.report([spec(9)]);
  assert.deepEqual(
    pool?.backends.map((b) => b.label),
    ["127.0.0.1:1"],
  );
  h.started[1]?.report([spec(2)]);
  assert.deepEqual(
    pool?.backends.map((b) => b.label),
    ["127.0.0.1:2"],
  );
  h.registry.apply(new Map());
  assert.equal(h.started[1]?.stopped, true, "a removed upstream stops its provider");
});

void test("a provider that cannot start is reported, and its upstream keeps answering from an empty pool", async () => {
  const h = harness({ failing: true });
  const pool = h.registry.apply(config("api")).get("api")?.pool;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(h.errors, ["api/test: Error: cannot reach the source"]);
  assert.deepEqual(pool?.candidates(), []);
});

void test("a snapshot with a malformed URL is refused whole and reported; the last good set stays", () => {
  const h = harness();
  const pool = h.registry.apply(config("api")).get("api")?.pool;
  h.started[0]?.report([spec(1), spec(2)]);
  h.started[0]?.report([spec(3), { url: "not a url", weight: 1, backup: false }]);
  assert.deepEqual(
    pool?.backends.map((b) => b.label),
    ["127.0.0.1:1", "127.0.0.1:2"],
  );
  assert.deepEqual(h.errors, ["api/test: TypeError: Invalid URL"]);
});
