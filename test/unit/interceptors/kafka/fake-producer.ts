import { EventEmitter } from "node:events";
import type { Producer, ProducerBatch, ProducerRecord, RecordMetadata } from "kafkajs";

/**
 * Just enough of a kafkajs producer to test the wrapper in isolation: `send`/`sendBatch` record
 * what they were given, `emit` plays instrumentation events (`producer.network.request`).
 */
export function createFakeProducer(fail?: Error) {
  const emitter = new EventEmitter();
  const sent: ProducerRecord[] = [];
  const batches: ProducerBatch[] = [];
  const producer = {
    events: { REQUEST: "producer.network.request" },
    on(name: string, listener: (event: unknown) => void) {
      emitter.on(name, listener);
      return () => emitter.off(name, listener);
    },
    send(record: ProducerRecord): Promise<RecordMetadata[]> {
      sent.push(record);
      return fail === undefined ? Promise.resolve([]) : Promise.reject(fail);
    },
    sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
      batches.push(batch);
      return fail === undefined ? Promise.resolve([]) : Promise.reject(fail);
    },
  } as unknown as Producer;
  return {
    producer,
    sent,
    batches,
    listeners: (name: string) => emitter.listenerCount(name),
    /** What kafkajs emits for every request; `broker` is the `host:port` it went to. */
    request(broker: string) {
      emitter.emit("producer.network.request", {
        id: 0,
        type: "producer.network.request",
        timestamp: Date.now(),
        payload: { broker, apiName: "Metadata", duration: 1 },
      });
    },
  };
}

/** The `traceparent` a span context is written as. */
export function traceparentOf(spanContext: { traceId: string; spanId: string; traceFlags: number }): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-0${spanContext.traceFlags}`;
}
