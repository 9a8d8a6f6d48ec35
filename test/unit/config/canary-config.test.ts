import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../../../src/config/load.ts";
import { problemsOf, upstreamWith } from "./problems.ts";

test("the issue's canary block loads with its values and the defaults filled", () => {
  const { config, warnings } = parseConfigText(
    upstreamWith(`canary:
  backends: [{ url: "http://127.0.0.1:8201" }]
  steps: [5, 25, 50, 100]
  interval: 30s
  analysis: { maxP99: 2s, maxErrorRate: 0.005, minRequests: 50 }
  failureLimit: 2
  stickiness: "cookie:tw_canary"`),
    { env: {} },
  );
  assert.deepEqual(warnings, []);
  const canary = config.upstreams.get("api")?.canary;
  assert.deepEqual(canary, {
    backends: [{ url: "http://127.0.0.1:8201", weight: 1, backup: false }],
    select: undefined,
    steps: [5, 25, 50, 100],
    intervalMs: 30_000,
    analysis: {
      maxP99Ms: 2000,
      maxErrorRate: 0.005,
      minRequests: 50,
      maxIdleIntervals: 10,
      prometheus: undefined,
      metrics: [],
    },
    failureLimit: 2,
    stickiness: { cookie: "tw_canary" },
    header: undefined,
    confirmPromotion: false,
    stateFile: undefined,
  });
});

test("canary problems name their key path", () => {
  const problems = (canary: string) => problemsOf(upstreamWith(`canary:\n${canary.replace(/^/gm, "  ")}`));
  assert.deepEqual(problems("steps: [5]"), [
    "upstreams.api.canary: needs backends (the canary set) or select (pick it from discovery by metadata)",
  ]);
  assert.deepEqual(problems('backends: [{ url: "http://127.0.0.1:8001" }]'), [
    'upstreams.api.canary.backends[0].url: "http://127.0.0.1:8001" is also a stable backend; a backend is on one side',
  ]);
  assert.deepEqual(problems('backends: [{ url: "http://127.0.0.1:9" }]\nsteps: [50, 120]'), [
    "upstreams.api.canary.steps[1]: must be at most 100, got 120",
  ]);
  assert.deepEqual(problems('backends: [{ url: "http://127.0.0.1:9" }]\nsteps: [50, 25]'), [
    "upstreams.api.canary.steps: must increase from one step to the next",
  ]);
  assert.deepEqual(
    problems('backends: [{ url: "http://127.0.0.1:9" }]\ninterval: 500ms\nstickiness: "header:x"'),
    [
      'upstreams.api.canary.interval: must be at least 1000ms, got "500ms"',
      'upstreams.api.canary.stickiness: expected "cookie:NAME" such as "cookie:tw_canary", got "header:x"',
    ],
  );
  assert.deepEqual(problems("select: { metadata: { version: v2 } }"), [
    "upstreams.api.canary.select: needs discovery (etcd): backends listed in the file carry no metadata; list the canary's backends in canary.backends",
  ]);
  assert.deepEqual(
    problems(
      'backends: [{ url: "http://127.0.0.1:9" }]\nanalysis: { metrics: [{ name: errors, query: "up", max: 1 }] }',
    ),
    [
      "upstreams.api.canary.analysis.prometheus: is required when analysis.metrics is given (where to query them)",
    ],
  );
  assert.deepEqual(
    problems(
      'backends: [{ url: "http://127.0.0.1:9" }]\nanalysis: { prometheus: { url: "http://p:9090" }, metrics: [{ name: e, query: "up" }] }',
    ),
    ["upstreams.api.canary.analysis.metrics[0]: needs min or max (the threshold)"],
  );
});
