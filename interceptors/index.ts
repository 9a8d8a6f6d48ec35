/** Public API of `traceway/interceptors`: what is exported here is the contract. */

// ---- Kafka (kafkajs) ----
export * from "./kafka/index.ts";
