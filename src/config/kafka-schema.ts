/**
 * The `kafka` section of the file (see kafka-types.ts for what it becomes). Relations between
 * values (a bridge's upstream exists, its dead-letter topic is not a source) are checked in
 * kafka-cross-checks.ts; defaults are filled in by kafka-normalise.ts.
 */
import * as z from "zod";
import type { BridgeMethod, BridgeOrdering, BridgeRetryOn, BridgeStartFrom } from "./kafka-types.ts";
import type { KafkaSaslMechanism } from "./kafka-types.ts";
import {
  parseBridgeName,
  parseBroker,
  parseHeaderMap,
  parsePathTemplate,
  parseTopic,
} from "./kafka-parsers.ts";
import { atLeastOne, oneOf, parsedBy, positiveDuration, strict } from "./schema-parts.ts";

export const BRIDGE_ORDERINGS = ["key", "partition", "none"] as const satisfies readonly BridgeOrdering[];
export const BRIDGE_RETRY_CONDITIONS = [
  "error",
  "timeout",
  "http_5xx",
  "http_429",
] as const satisfies readonly BridgeRetryOn[];
export const BRIDGE_METHODS = ["POST", "PUT", "PATCH"] as const satisfies readonly BridgeMethod[];
export const BRIDGE_START_FROM = ["earliest", "latest"] as const satisfies readonly BridgeStartFrom[];
export const SASL_MECHANISMS = [
  "plain",
  "scram-sha-256",
  "scram-sha-512",
] as const satisfies readonly KafkaSaslMechanism[];

/** Upper bound on `concurrency`: per partition, so a few partitions already make thousands. */
export const MAX_BRIDGE_CONCURRENCY = 1000;

const topic = parsedBy(parseTopic);

const bridgeSchema = strict({
  name: parsedBy(parseBridgeName),
  topics: z.array(topic).min(1),
  groupId: z.string().min(1).optional(),
  upstream: z.string().min(1),
  path: parsedBy(parsePathTemplate).optional(),
  method: oneOf(BRIDGE_METHODS, "method").optional(),
  headers: parsedBy(parseHeaderMap).optional(),
  ordering: oneOf(BRIDGE_ORDERINGS, "ordering").optional(),
  concurrency: atLeastOne.max(MAX_BRIDGE_CONCURRENCY).optional(),
  retry: strict({
    tries: atLeastOne.optional(),
    backoff: positiveDuration.optional(),
    maxBackoff: positiveDuration.optional(),
    on: z.array(oneOf(BRIDGE_RETRY_CONDITIONS, "retry condition")).optional(),
  }).optional(),
  deadLetterTopic: topic.optional(),
  startFrom: oneOf(BRIDGE_START_FROM, "start position").optional(),
});

const sslSchema = strict({
  rejectUnauthorized: z.boolean().optional(),
  caFile: z.string().min(1).optional(),
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
  servername: z.string().min(1).optional(),
});

export const kafkaSchema = strict({
  brokers: z.array(parsedBy(parseBroker)).min(1),
  clientId: z.string().min(1).optional(),
  connectionTimeout: positiveDuration.optional(),
  sasl: strict({
    mechanism: oneOf(SASL_MECHANISMS, "SASL mechanism"),
    username: z.string().min(1),
    password: z.string(),
  }).optional(),
  // `ssl: true` uses the system's CAs; a mapping adds files and options.
  ssl: z.union([z.boolean(), sslSchema]).optional(),
  bridges: z.array(bridgeSchema).optional(),
  lag: strict({
    groups: z.array(z.string().min(1)).min(1).optional(),
    interval: positiveDuration.optional(),
  }).optional(),
});
