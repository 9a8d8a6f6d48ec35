import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { markdownBlock } from "../../helpers/markdown-block.ts";
import { problemsOf, upstreamWith } from "./problems.ts";

const TOKEN = "a-token-long-enough-for-the-admin-api-0123456789";
const CANARY = `canary:
  backends: [{ url: "http://127.0.0.1:8201" }]
  steps: [10, 50]`;

test("the admin API is accepted with any number of workers (the primary serves it)", () => {
  const text = (workers: string) =>
    `admin: { token: "${TOKEN}" }\nserver: { workers: ${workers} }\n${upstreamWith("")}`;
  for (const workers of ["1", "2", "auto"]) assert.deepEqual(problemsOf(text(workers)), [], workers);
});

test("a canary with more than one worker is refused naming its upstream's canary key", () => {
  assert.deepEqual(problemsOf(`server: { workers: 2 }\n${upstreamWith(CANARY)}`), [
    "upstreams.api.canary: a canary is not supported yet with server.workers 2 (each worker would run its own analysis and share); run it with server.workers: 1",
  ]);
  assert.deepEqual(problemsOf(upstreamWith(CANARY)), []);
});

const LAG = `kafka: { brokers: ["127.0.0.1:9092"], lag: { groups: ["billing"] } }`;

test("the Kafka lag exporter and bridges are accepted with any number of workers (one worker runs the exporter)", () => {
  for (const workers of ["1", "2", "auto"])
    assert.deepEqual(problemsOf(`server: { workers: ${workers} }\n${LAG}\n${upstreamWith("")}`), [], workers);
});

test("docs/workers.md shows the messages as they are", () => {
  const shown = markdownBlock(
    join(import.meta.dirname, "..", "..", "..", "docs", "workers.md"),
    "## Not yet with workers",
    "text",
  ).split("\n");
  const both = `admin: { token: "${TOKEN}" }\nserver: { workers: 2 }\n${LAG}\n${upstreamWith(CANARY)}`;
  assert.deepEqual(problemsOf(both), shown);
});
