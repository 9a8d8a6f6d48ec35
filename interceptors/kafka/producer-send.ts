import { context, isSpanContextValid, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import type { Attributes, Context, Link, Span, SpanContext, SpanOptions } from "@opentelemetry/api";
import type { Message, RecordMetadata } from "kafkajs";
import {
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM_NAME,
  MESSAGING_OPERATION_TYPE_SEND,
  MESSAGING_SYSTEM_KAFKA,
} from "../semconv.ts";
import { withIdentity } from "./client-identity.ts";
import type { ClientIdentity, IdentityCell } from "./client-identity.ts";
import { failSpan } from "./consumer-recorder.ts";
import { addMessageFacts, createSpanOptions, messageAttributes } from "./create-span.ts";
import { kafkaHeaderGetter, kafkaHeaderSetter } from "./header-carrier.ts";
import { errorTypeOf, guard, spanTime } from "./kafka-telemetry.ts";
import type { Failure, KafkaTelemetry } from "./kafka-telemetry.ts";
import { planSpan, SpanPlan, startPlanned } from "./message-span.ts";

export interface TopicMessages {
  readonly topic: string;
  readonly messages: Message[];
}

/** Everything a wrapped producer (and its transactions) records with. */
export interface ProducerTelemetry {
  readonly telemetry: KafkaTelemetry;
  readonly identity: IdentityCell;
  /** Per-message `create` spans for calls sending more than one message. */
  readonly createSpans: boolean;
  /** Metric attribute sets by (kind, topic, error type), for the identity they were built with. */
  readonly pointAttributes: Map<string, Attributes>;
  pointAttributesFor: ClientIdentity | undefined;
}

/** One `send`/`sendBatch` call in flight. */
interface SendCall {
  readonly startMs: number;
  /** The messages to hand to kafkajs: copies where trace context was written into them. */
  readonly topicMessages: TopicMessages[];
  readonly span: Span | undefined;
  readonly count: number;
}

function countOf(topicMessages: readonly TopicMessages[]): number {
  let count = 0;
  for (const { messages } of topicMessages) count += messages.length;
  return count;
}

/** The topic every message of the call goes to, if there is one. */
function singleTopic(topicMessages: readonly TopicMessages[]): string | undefined {
  let topic: string | undefined;
  for (const entry of topicMessages) {
    if (entry.messages.length === 0) continue;
    if (topic !== undefined && topic !== entry.topic) return undefined;
    topic = entry.topic;
  }
  return topic;
}

/** A creation context the application put into the message itself; semconv says keep it. */
function ownCreationContext(telemetry: KafkaTelemetry, message: Message): SpanContext | undefined {
  if (message.headers === undefined) return undefined;
  const found = trace.getSpanContext(
    telemetry.propagator.extract(ROOT_CONTEXT, message.headers, kafkaHeaderGetter),
  );
  return found !== undefined && isSpanContextValid(found) ? found : undefined;
}

/** The call's `send` span attributes; for a single message also what it says of that message. */
function sendAttributes(
  producer: ProducerTelemetry,
  topicMessages: readonly TopicMessages[],
  topic: string | undefined,
  count: number,
): Attributes {
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_SEND,
    [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_SEND,
  };
  if (topic !== undefined) attributes[ATTR_MESSAGING_DESTINATION_NAME] = topic;
  // Semconv: the batch size on batch operations only, never on a single-message one.
  if (count > 1) attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] = count;
  withIdentity(attributes, producer.identity.current, false);
  if (producer.telemetry.clientId !== undefined)
    attributes[ATTR_MESSAGING_CLIENT_ID] = producer.telemetry.clientId;
  const only =
    count === 1 ? topicMessages.find((entry) => entry.messages.length > 0)?.messages[0] : undefined;
  if (only !== undefined) addMessageFacts(attributes, producer, only);
  return attributes;
}

/**
 * The call's spans, per the messaging semconv's producer model:
 *
 * - one message: a `send <topic>` PRODUCER span whose context is the message's creation context;
 * - more (or a batch): one `send` span with `messaging.batch.message_count`, and per message a
 *   `create <topic>` PRODUCER span, started and ended as the message is prepared, whose context
 *   is injected into that message; the `send` span (CLIENT) links to every creation context;
 * - a message that already carries a creation context keeps it, gets no `create` span, and the
 *   `send` span links to it.
 *
 * `create` spans are children of the active span; with none active, of the `send` span, so that a
 * batch sent outside any trace stays one trace rather than one per message.
 */
function startCall(producer: ProducerTelemetry, topicMessages: readonly TopicMessages[]): SendCall {
  const { telemetry } = producer;
  const startMs = telemetry.clock.now();
  const ambient = context.active();
  const count = countOf(topicMessages);
  const topic = singleTopic(topicMessages);
  const ambientSpan = trace.getSpanContext(ambient);
  const plan = planSpan(telemetry.sampler.current(), ambientSpan);
  if (plan === SpanPlan.Skip) {
    // Nothing would be sampled: no span objects, and the messages carry the active (unsampled)
    // context on, as a producer that traces nothing would.
    const carried = ambientSpan !== undefined && isSpanContextValid(ambientSpan);
    return {
      startMs,
      count,
      span: undefined,
      topicMessages: carried ? inject(telemetry, topicMessages, () => ambient) : [...topicMessages],
    };
  }
  const batch = count > 1 && producer.createSpans;
  const options: SpanOptions = {
    kind: batch ? SpanKind.CLIENT : SpanKind.PRODUCER,
    startTime: spanTime(telemetry, startMs),
  };
  const name = topic === undefined ? "send" : `send ${topic}`;
  const attributes = sendAttributes(producer, topicMessages, topic, count);
  const span = startPlanned(telemetry, plan, name, options, attributes, ambient);
  const sendContext = trace.setSpan(ambient, span);
  // Create spans are only worth making where they may be sampled; under a send span known to be
  // unsampled, that span's context is every message's.
  const creates = batch && (span.isRecording() || plan === SpanPlan.Full);
  const links: Link[] = [];
  const createParent = ambientSpan !== undefined && isSpanContextValid(ambientSpan) ? ambient : sendContext;
  const prepared = inject(telemetry, topicMessages, (topicName, message) => {
    const own = ownCreationContext(telemetry, message);
    if (own !== undefined) {
      links.push({ context: own });
      return undefined;
    }
    if (!creates) return sendContext;
    const create = startPlanned(
      telemetry,
      plan === SpanPlan.Full ? SpanPlan.Full : SpanPlan.Bare,
      `create ${topicName}`,
      createSpanOptions(options.startTime),
      messageAttributes(producer, topicName, message),
      createParent,
    );
    if (create.isRecording()) links.push({ context: create.spanContext() });
    create.end(spanTime(telemetry, telemetry.clock.now()));
    return trace.setSpan(createParent, create);
  });
  if (span.isRecording() && links.length > 0) span.addLinks(links);
  return { startMs, count, span, topicMessages: prepared };
}

/**
 * Copies of the messages with the context `contextFor` chooses injected into their headers;
 * `undefined` from it leaves that message as it was. The caller's message objects are never
 * mutated (they may be re-sent).
 */
function inject(
  telemetry: KafkaTelemetry,
  topicMessages: readonly TopicMessages[],
  contextFor: (topic: string, message: Message) => Context | undefined,
): TopicMessages[] {
  return topicMessages.map(({ topic, messages }) => ({
    topic,
    messages: messages.map((message) => {
      const carrier = contextFor(topic, message);
      if (carrier === undefined) return message;
      const copy: Message = { ...message, headers: { ...message.headers } };
      telemetry.propagator.inject(carrier, copy.headers, kafkaHeaderSetter);
      return copy;
    }),
  }));
}

/**
 * The attribute set of a producer metric point, one object per label set: the pre-aggregated
 * histograms find a series by the identity of that object.
 */
function metricAttributes(
  producer: ProducerTelemetry,
  topic: string | undefined,
  failure: Failure | undefined,
  withType: boolean,
): Attributes {
  const identity = producer.identity.current;
  if (producer.pointAttributesFor !== identity) {
    producer.pointAttributes.clear();
    producer.pointAttributesFor = identity;
  }
  const errorType = failure === undefined ? "" : errorTypeOf(failure.error);
  const key = `${withType ? "d" : "c"}\u0000${topic ?? ""}\u0000${errorType}`;
  let attributes = producer.pointAttributes.get(key);
  if (attributes === undefined) {
    attributes = buildMetricAttributes(identity, topic, errorType, withType);
    producer.pointAttributes.set(key, attributes);
  }
  return attributes;
}

function buildMetricAttributes(
  identity: ClientIdentity,
  topic: string | undefined,
  errorType: string,
  withType: boolean,
): Attributes {
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_SEND,
  };
  if (withType) attributes[ATTR_MESSAGING_OPERATION_TYPE] = MESSAGING_OPERATION_TYPE_SEND;
  if (topic !== undefined) attributes[ATTR_MESSAGING_DESTINATION_NAME] = topic;
  withIdentity(attributes, identity, false);
  if (errorType !== "") attributes[ATTR_ERROR_TYPE] = errorType;
  return attributes;
}

/**
 * Ends the call: the `send` span (ERROR with `error.type` when kafkajs rejected), one
 * `messaging.client.operation.duration` point for the call and `messaging.client.sent.messages`
 * per message and topic.
 */
function endCall(producer: ProducerTelemetry, call: SendCall, failure: Failure | undefined): void {
  const { telemetry } = producer;
  const endMs = telemetry.clock.now();
  const topic = singleTopic(call.topicMessages);
  telemetry.operationDuration.record(
    Math.max(0, endMs - call.startMs) / 1000,
    metricAttributes(producer, topic, failure, true),
  );
  for (const { topic: name, messages } of call.topicMessages) {
    if (messages.length > 0)
      telemetry.sentMessages.add(messages.length, metricAttributes(producer, name, failure, false));
  }
  const span = call.span;
  if (span === undefined) return;
  if (failure !== undefined) failSpan(span, failure);
  span.end(spanTime(telemetry, endMs));
}

/** Sends through kafkajs with trace context in the messages; telemetry failures cost telemetry only. */
export async function tracedSend(
  producer: ProducerTelemetry,
  topicMessages: readonly TopicMessages[],
  send: (prepared: readonly TopicMessages[] | undefined) => Promise<RecordMetadata[]>,
): Promise<RecordMetadata[]> {
  const call = guard("send start", () => startCall(producer, topicMessages));
  let result: RecordMetadata[];
  try {
    result = await send(call?.topicMessages);
  } catch (error) {
    if (call !== undefined) guard("send end", () => endCall(producer, call, { error }));
    throw error;
  }
  if (call !== undefined) guard("send end", () => endCall(producer, call, undefined));
  return result;
}
