import type { Attributes } from "@opentelemetry/api";
import type { ConsumerSubscribeTopic, ConsumerSubscribeTopics } from "kafkajs";
import {
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM_NAME,
  MESSAGING_OPERATION_NAME_POLL,
  MESSAGING_OPERATION_TYPE_RECEIVE,
  MESSAGING_SYSTEM_KAFKA,
} from "../semconv.ts";
import { withIdentity } from "./client-identity.ts";
import type { ClientIdentity, IdentityCell } from "./client-identity.ts";
import type { KafkaTelemetry } from "./kafka-telemetry.ts";

/**
 * The topics a consumer subscribed to through the wrapper. A fetch covers every subscribed
 * topic, so `messaging.destination.name` describes a poll only when there is exactly one (and
 * no pattern subscription, whose topics are not known).
 */
export class Subscriptions {
  readonly #topics = new Set<string>();
  #pattern = false;

  add(subscription: ConsumerSubscribeTopic | ConsumerSubscribeTopics | undefined): void {
    if (subscription === undefined) return;
    const topics =
      "topics" in subscription && Array.isArray(subscription.topics) ? [...subscription.topics] : [];
    if ("topic" in subscription) topics.push(subscription.topic);
    for (const topic of topics) {
      if (typeof topic === "string") this.#topics.add(topic);
      else this.#pattern = true;
    }
  }

  /** The one topic every fetch is for, if there is one. */
  single(): string | undefined {
    if (this.#pattern || this.#topics.size !== 1) return undefined;
    return this.#topics.values().next().value;
  }
}

/**
 * `messaging.client.operation.duration` for kafkajs' fetches (`poll`, a `receive` operation):
 * from `consumer.fetch_start` to `consumer.fetch` of the same broker, timed on the telemetry
 * clock (the event's own `duration` is whole milliseconds). kafkajs runs one fetcher per broker
 * node, each one fetch at a time, so one start time per node is enough. A fetch that fails emits no `fetch` event:
 * kafkajs retries or crashes (counted in `traceway.messaging.kafka.consumer.events`).
 */
export class PollDuration {
  readonly #telemetry: KafkaTelemetry;
  readonly #identity: IdentityCell;
  readonly #subscriptions: Subscriptions;
  readonly #started = new Map<string, number>();
  #attributes: Attributes | undefined;
  #builtFor: ClientIdentity | undefined;
  #builtTopic: string | undefined;

  constructor(telemetry: KafkaTelemetry, identity: IdentityCell, subscriptions: Subscriptions) {
    this.#telemetry = telemetry;
    this.#identity = identity;
    this.#subscriptions = subscriptions;
  }

  started(nodeId: string): void {
    this.#started.set(nodeId, this.#telemetry.clock.now());
  }

  ended(nodeId: string): void {
    const startMs = this.#started.get(nodeId);
    if (startMs === undefined) return;
    this.#started.delete(nodeId);
    const seconds = Math.max(0, this.#telemetry.clock.now() - startMs) / 1000;
    this.#telemetry.operationDuration.record(seconds, this.#currentAttributes());
  }

  #currentAttributes(): Attributes {
    const identity = this.#identity.current;
    const topic = this.#subscriptions.single();
    if (this.#attributes !== undefined && this.#builtFor === identity && this.#builtTopic === topic)
      return this.#attributes;
    const attributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_KAFKA,
      [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_NAME_POLL,
      [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_RECEIVE,
    };
    if (topic !== undefined) attributes[ATTR_MESSAGING_DESTINATION_NAME] = topic;
    withIdentity(attributes, identity, true);
    this.#attributes = attributes;
    this.#builtFor = identity;
    this.#builtTopic = topic;
    return attributes;
  }
}
