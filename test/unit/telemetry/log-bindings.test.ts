import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LogFormat } from "../../../src/config/types.ts";
import { ecsProblems } from "../../helpers/ecs-check.ts";
import { fakeRequest, telemetryUnderTest } from "./telemetry-fixture.ts";

/**
 * `logBindings` (a worker's pid): on every line of the process, the logger's and the access
 * log's alike, under the layout's name for the field.
 */
const EXPECT: Record<LogFormat, { pid: string; msg: string }> = {
  json: { pid: "pid", msg: "msg" },
  ecs: { pid: "process.pid", msg: "message" },
};

describe("log bindings", () => {
  for (const format of ["json", "ecs"] as const) {
    it(`logging.format ${format}: a logged line and an access line both carry the process's fields`, async () => {
      const { telemetry, logs } = await telemetryUnderTest({
        logging: { format },
        options: { logBindings: { pid: 4242, worker: "w1" } },
      });
      try {
        telemetry.logger.info({ upstream: "api" }, "hello");
        telemetry.observer
          .onRequest({ req: fakeRequest(), method: "GET", route: "/*", upstream: "api" })
          .end({ statusCode: 503, retries: 0, bytesIn: 0, bytesOut: 0 });
      } finally {
        await telemetry.shutdown();
      }
      const { pid, msg } = EXPECT[format];
      const hello = logs.lines.find((l) => l[msg] === "hello");
      const access = logs.lines.find((l) => l[msg] === "access");
      assert.ok(hello && access, JSON.stringify(logs.lines));
      for (const line of [hello, access]) {
        assert.equal(line[pid], 4242, JSON.stringify(line));
        assert.equal(line[format === "ecs" ? "traceway.worker" : "worker"], "w1", JSON.stringify(line));
        assert.deepEqual(ecsProblems(line, format), []);
      }
      // Each field once, under the layout's name only.
      if (format === "ecs") assert.equal(access["pid"], undefined);
    });
  }
});
