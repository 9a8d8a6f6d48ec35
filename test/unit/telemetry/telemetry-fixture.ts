import { Writable } from "node:stream";
import type { IncomingMessage } from "node:http";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import type { LoggingConfig, TelemetryConfig } from "../../../src/config/types.ts";
import { DEFAULT_REDACTED_QUERY_PARAMETERS } from "../../../src/config/defaults.ts";
import { startTelemetry, type Telemetry, type TelemetryOptions } from "../../../src/telemetry/setup.ts";
import { PullMetricReader } from "../interceptors/http/http-fixture.ts";

/** A pino destination that keeps every line, parsed. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString("utf8").split("\n"))
      if (line !== "") this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

export const TELEMETRY_OFF: TelemetryConfig = {
  serviceName: "traceway-unit",
  redactedQueryParameters: DEFAULT_REDACTED_QUERY_PARAMETERS,
  prometheus: { enabled: false, host: "127.0.0.1", port: 0, path: "/metrics" },
  traces: { enabled: false, otlpEndpoint: "", sampleRatio: 1 },
};

export interface TelemetryUnderTest {
  readonly telemetry: Telemetry;
  readonly spans: InMemorySpanExporter;
  readonly reader: PullMetricReader;
  readonly logs: LogCapture;
}

/** startTelemetry with in-memory spans, a pull metric reader and captured logs. */
export async function telemetryUnderTest(
  overrides: {
    telemetry?: Partial<TelemetryConfig>;
    logging?: Partial<LoggingConfig>;
    options?: TelemetryOptions;
  } = {},
): Promise<TelemetryUnderTest> {
  const spans = new InMemorySpanExporter();
  let reader: PullMetricReader | undefined;
  const logs = new LogCapture();
  const telemetry = await startTelemetry(
    {
      telemetry: { ...TELEMETRY_OFF, ...overrides.telemetry },
      logging: { level: "info", accessLog: true, format: "json", ...overrides.logging },
    },
    {
      spanExporter: spans,
      metricReaders: (metricProducers) => [
        (reader = new PullMetricReader({ metricProducers: [...metricProducers] })),
      ],
      logDestination: logs,
      scheduledDelayMillis: 60_000,
      ...overrides.options,
    },
  );
  if (reader === undefined) throw new Error("startTelemetry never asked for its metric readers");
  return { telemetry, spans, reader, logs };
}

/** Just enough of an IncomingMessage for the observer: an HTTP/1.1 GET on a plain connection. */
export function fakeRequest(headers: Record<string, string> = {}, url = "/orders/42"): IncomingMessage {
  return {
    method: "GET",
    url,
    headers,
    httpVersionMajor: 1,
    httpVersionMinor: 1,
    socket: { remoteAddress: "127.0.0.1", remotePort: 50000 },
  } as unknown as IncomingMessage;
}
