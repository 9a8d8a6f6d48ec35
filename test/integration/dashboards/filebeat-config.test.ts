import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runInNewContext } from "node:vm";
import { TraceFlags } from "@opentelemetry/api";
import { parse } from "yaml";
import type { LogFormat } from "../../../src/config/types.ts";
import { AccessLog } from "../../../src/telemetry/access-log.ts";
import { logLayout } from "../../../src/telemetry/log-layout.ts";
import { createLogger } from "../../../src/telemetry/logger.ts";
import { ecsProblems } from "../../helpers/ecs-check.ts";
import { REPO_ROOT } from "../../helpers/services.ts";
import { LogCapture } from "../../unit/telemetry/telemetry-fixture.ts";

const FILE = join(REPO_ROOT, "dashboards", "filebeat.yml");
type Line = Record<string, unknown>;
type Processor = Record<string, Record<string, unknown>>;
interface Input {
  readonly type: string;
  readonly paths: readonly string[];
  readonly parsers: readonly Record<string, Record<string, unknown> | null>[];
}

/** Go's reference-time layouts the config may use, as patterns for the lines traceway writes. */
const GO_LAYOUTS: Record<string, RegExp> = {
  "2006-01-02T15:04:05.999Z07:00": /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?(Z|[+-]\d\d:\d\d)$/,
};

/** Lines of every kind traceway writes, in one layout, from its real loggers. */
function linesIn(format: LogFormat): Line[] {
  const capture = new LogCapture();
  const logging = { level: "info", accessLog: true, format } as const;
  const logger = createLogger("traceway", logging, capture);
  logger.warn({ upstream: "api", backend: "b:1", error_type: "connect_error", attempt: 1 }, "retrying");
  logger.warn({ upstream: "api", backend: "b:1", status: 503, attempt: 1 }, "retrying");
  logger.warn(
    { upstream: "ws", err: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) },
    "failed",
  );
  new AccessLog(capture, logLayout(format).accessFormatter("traceway")).write({
    method: "GET",
    route: "/",
    upstream: "api",
    backend: "b:1",
    status: 502,
    durationMs: 1.5,
    retries: 0,
    errorCode: "TRACEWAY_ERR_UPSTREAM_CONNECT",
    bytesIn: 0,
    bytesOut: 10,
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    traceFlags: TraceFlags.SAMPLED,
  });
  return capture.lines;
}

/** Filebeat's event API, as the `script` processor's JavaScript sees it (flat dotted names). */
function scriptEvent(line: Line) {
  return {
    Get: (key: string) => line[key],
    Put: (key: string, value: unknown) => void (line[key] = value),
    Delete: (key: string) => void delete line[key],
  };
}

/** Runs the config's processors on one decoded line; a processor kind it does not know fails the test. */
function process(processors: readonly Processor[], input: Line): Line {
  const line: Line = { ...input };
  for (const processor of processors) {
    const [[kind, options = {}]] = Object.entries(processor) as [[string, Record<string, unknown>]];
    if (kind === "timestamp") {
      const field = options["field"] as string;
      const layouts = (options["layouts"] as string[]).map((l) => GO_LAYOUTS[l]);
      assert.ok(
        layouts.every((l) => l !== undefined),
        `teach the test the Go layouts of ${field}`,
      );
      for (const sample of options["test"] as string[])
        assert.ok(
          layouts.some((l) => l.test(sample)),
          sample,
        );
      const value = line[field];
      if (typeof value === "string" && layouts.some((l) => l.test(value))) line["@timestamp"] = value;
    } else if (kind === "drop_fields") {
      for (const field of options["fields"] as string[]) delete line[field];
    } else if (kind === "rename") {
      for (const { from, to } of options["fields"] as { from: string; to: string }[]) {
        if (!(from in line)) continue;
        line[to] = line[from];
        delete line[from];
      }
    } else if (kind === "script") {
      const sandbox = { event: scriptEvent(line) };
      runInNewContext(`${options["source"] as string}\nprocess(event);`, sandbox);
    } else assert.fail(`processor ${kind}: teach the test what it does`);
  }
  return line;
}

describe("dashboards/filebeat.yml", async () => {
  const config = parse(await readFile(FILE, "utf8")) as {
    "filebeat.inputs": readonly Input[];
    processors: readonly Processor[];
    "output.elasticsearch": { hosts: readonly string[] };
  };

  it("reads Docker's container logs and the stack's files as NDJSON, dotted keys expanded, decoded keys winning", () => {
    const inputs = config["filebeat.inputs"];
    assert.deepEqual(
      inputs.map((i) => i.paths),
      [["/var/lib/docker/containers/*/*.log"], ["${TRACEWAY_LOG_FILES:/var/log/traceway/*.log}"]],
    );
    for (const input of inputs) {
      assert.equal(input.type, "filestream");
      const ndjson = input.parsers.find((p) => "ndjson" in p)?.["ndjson"];
      assert.deepEqual(ndjson, { target: "", overwrite_keys: true, expand_keys: true, add_error_key: true });
    }
    // Docker's json-file driver wraps each line: the container parser must unwrap it first.
    assert.deepEqual(Object.keys(inputs[0]!.parsers[0]!), ["container"]);
    assert.match(
      config["output.elasticsearch"].hosts[0]!,
      /^\$\{ELASTICSEARCH_HOSTS:http:\/\/elasticsearch:9200\}$/,
    );
  });

  it("turns json-layout lines into ECS: the seed's fields land on their ECS fields, with ECS types", () => {
    const lines = linesIn("json");
    const renamed = new Set<string>();
    for (const processor of config.processors)
      for (const r of (processor["rename"]?.["fields"] ?? []) as { from: string }[]) renamed.add(r.from);
    const written = new Set(lines.flatMap((l) => Object.keys(l)));
    for (const from of renamed)
      assert.ok(written.has(from), `rename.from ${from}: traceway writes no such field`);

    for (const line of lines) {
      const out = process(config.processors, line);
      assert.deepEqual(ecsProblems(out, "json"), [], JSON.stringify(out));
      for (const field of ["@timestamp", "log.level", "service.name", "message"])
        assert.ok(field in out, `${field} missing from ${JSON.stringify(out)}`);
      assert.equal(out["@timestamp"], line["timestamp"]);
      assert.equal("timestamp" in out || "msg" in out || "level" in out, false);
    }
    const access = process(config.processors, lines.at(-1)!);
    assert.equal(access["event.duration"], 1_500_000);
    assert.equal(access["trace.id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(access["http.response.status_code"], 502);
  });

  it("leaves ecs-layout lines as traceway wrote them", () => {
    for (const line of linesIn("ecs")) assert.deepEqual(process(config.processors, line), line);
  });
});
