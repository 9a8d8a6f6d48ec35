/**
 * Preloaded (`node --import`) into the process that runs the docs/kafka.md `## Example`: registers global
 * OpenTelemetry providers the way an application's SDK setup would, and prints the finished spans as
 * one `SPANS <json>` line at exit so the test can check the example produced a connected trace.
 */
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
);

process.on("exit", () => {
  const spans = exporter.getFinishedSpans().map((s) => ({
    name: s.name,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
  }));
  process.stdout.write(`SPANS ${JSON.stringify(spans)}\n`);
});
