/** Public API of `traceway/interceptors`: what is exported here is the contract. */

// ---- HTTP ----
export * from "./http/index.ts";

// ---- Kafka (kafkajs) ----
export * from "./kafka/index.ts";

// ---- Metrics shared by both ----
export * from "./metrics/index.ts";

// ---- Injected time, shared by both ----
export type { Clock } from "./clock.ts";

// ---- Sampling ----
export { TracewaySampler } from "./traceway-sampler.ts";
export type { TracewaySamplerOptions } from "./traceway-sampler.ts";
