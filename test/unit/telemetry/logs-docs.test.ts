import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { LogFormat } from "../../../src/config/types.ts";
import { AccessLog } from "../../../src/telemetry/access-log.ts";
import { logLayout } from "../../../src/telemetry/log-layout.ts";
import { markdownBlock } from "../../helpers/markdown-block.ts";
import { LogCapture } from "./telemetry-fixture.ts";

const DOCS = fileURLToPath(new URL("../../../docs/telemetry.md", import.meta.url));
const HEADINGS: Record<LogFormat, { heading: string; time: string }> = {
  json: { heading: "### Layout `json` (default)", time: "timestamp" },
  ecs: { heading: "### Layout `ecs`", time: "@timestamp" },
};

describe("docs/telemetry.md, Logs", () => {
  for (const format of ["json", "ecs"] as const) {
    it(`the ${format} access line is the line traceway writes for that request`, () => {
      const { heading, time } = HEADINGS[format];
      const documented = JSON.parse(markdownBlock(DOCS, heading, "json")) as Record<string, unknown>;
      const capture = new LogCapture();
      // The request the json example describes; the ecs example must describe the same one.
      new AccessLog(capture, logLayout(format).accessFormatter("traceway")).write({
        method: "GET",
        route: "/*",
        upstream: "api",
        backend: "10.0.0.7:8081",
        status: 200,
        durationMs: 10.9,
        retries: 0,
        errorCode: undefined,
        bytesIn: 0,
        bytesOut: 512,
        traceId: "0af7651916cd43dd8448eb211c80319c",
        spanId: "d4b56e306540de3c",
        traceFlags: 1,
      });
      const written = capture.lines[0]!;
      assert.match(String(written[time]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual(Object.keys(written), Object.keys(documented), "same fields, same order");
      assert.deepEqual({ ...written, [time]: documented[time] }, documented);
    });
  }
});
