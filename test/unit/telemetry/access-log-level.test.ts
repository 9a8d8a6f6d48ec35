import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeRequest, telemetryUnderTest } from "./telemetry-fixture.ts";

void test("access lines follow logging.accessLog alone, as nginx's access_log does: logging.level warn still writes them", async () => {
  const { telemetry, logs } = await telemetryUnderTest({ logging: { level: "warn", accessLog: true } });
  try {
    const obs = telemetry.observer.onRequest({
      req: fakeRequest(),
      method: "GET",
      route: "/",
      upstream: "u",
    });
    obs.end({ statusCode: 200, retries: 0, bytesIn: 0, bytesOut: 2 });
    telemetry.logger.info("an info line the level filters out");
    assert.deepEqual(
      logs.lines.map((l) => [l["level"], l["msg"]]),
      [["info", "access"]],
    );
  } finally {
    await telemetry.shutdown();
  }
});
