import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ECS_ROOT_OBJECTS, ECS_VERSION } from "../../../src/telemetry/ecs-field-sets.ts";
import * as fixture from "../../fixtures/ecs/ecs-fields.ts";
import { ecsProblems } from "../../helpers/ecs-check.ts";

describe("ECS field sets", () => {
  it("the json layout's guard list is the fixture's list of ECS root objects, of the version the ecs layout writes", () => {
    assert.equal(ECS_VERSION, fixture.ECS_FIXTURE_VERSION);
    assert.deepEqual([...ECS_ROOT_OBJECTS].sort(), [...fixture.ECS_ROOT_OBJECTS].sort());
  });

  it("the checker finds each kind of line Elasticsearch's ECS mapping rejects or mis-maps", () => {
    const cases: [Record<string, unknown>, "json" | "ecs", RegExp][] = [
      [{ url: "http://127.0.0.1:8080" }, "json", /^url: ECS maps it as an object/],
      [{ error: "boom" }, "json", /^error: ECS maps it as an object/],
      [{ "http.request": "GET" }, "ecs", /^http\.request: ECS maps it as an object/],
      [{ "event.duration": { ns: 1 } }, "ecs", /^event\.duration\.ns: ECS maps event\.duration as long/],
      [{ "event.duration": 1.5 }, "ecs", /^event\.duration: 1\.5 is not an ECS long/],
      [{ "http.response.status_code": "200" }, "ecs", /is not an ECS long/],
      [{ "@timestamp": "yesterday" }, "ecs", /^@timestamp: "yesterday" is not an ECS date/],
      [{ "trace.id": 7 }, "ecs", /^trace\.id: 7 is not an ECS keyword/],
      [{ "http.route": "/" }, "ecs", /^http\.route: under the ECS field set http but not in the fixture/],
      [{ upstream: "api" }, "ecs", /^upstream: a custom field outside traceway\.\*/],
      [{ "a.b": 1, a: 2 }, "json", /^a: written twice|^a: a value and an object/],
    ];
    for (const [line, layout, problem] of cases) {
      const problems = ecsProblems(line, layout);
      assert.equal(problems.length, 1, `${JSON.stringify(line)}: ${problems.join("; ")}`);
      assert.match(problems[0]!, problem);
    }
    assert.deepEqual(ecsProblems({ upstream: "api", status: 200, timestamp: "x" }, "json"), []);
    assert.deepEqual(
      ecsProblems(
        { "traceway.upstream": "api", "http.response.status_code": 200, "event.duration": 5 },
        "ecs",
      ),
      [],
    );
  });
});
