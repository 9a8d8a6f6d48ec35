export { instrumentConsumer } from "./instrument-consumer.ts";
export { instrumentProducer } from "./instrument-producer.ts";
export { createLagMonitor } from "./lag-monitor.ts";
export type { LagMonitor, LagMonitorOptions } from "./lag-monitor.ts";
export { PARTITION_STATUSES } from "./lag-status.ts";
export type {
  KafkaConsumerInstrumentationOptions,
  KafkaInstrumentationOptions,
  KafkaProducerInstrumentationOptions,
  PartitionLag,
  PartitionStatus,
} from "./types.ts";
