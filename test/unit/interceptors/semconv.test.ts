import assert from "node:assert/strict";
import { test } from "node:test";
import * as stable from "@opentelemetry/semantic-conventions";
import * as incubating from "@opentelemetry/semantic-conventions/incubating";
import * as ours from "../../../interceptors/semconv.ts";

// interceptors/semconv.ts copies the names rather than importing the package at run time (a
// semconv bump must not rename a series); this checks each copy against the package itself.

void test("the stable names traceway copies are spelled as the semconv package spells them", () => {
  const pairs: [string, string][] = [
    [ours.ATTR_ERROR_TYPE, stable.ATTR_ERROR_TYPE],
    [ours.ERROR_TYPE_OTHER, stable.ERROR_TYPE_VALUE_OTHER],
    [ours.ATTR_HTTP_REQUEST_METHOD, stable.ATTR_HTTP_REQUEST_METHOD],
    [ours.ATTR_HTTP_REQUEST_METHOD_ORIGINAL, stable.ATTR_HTTP_REQUEST_METHOD_ORIGINAL],
    [ours.ATTR_HTTP_REQUEST_RESEND_COUNT, stable.ATTR_HTTP_REQUEST_RESEND_COUNT],
    [ours.ATTR_HTTP_RESPONSE_STATUS_CODE, stable.ATTR_HTTP_RESPONSE_STATUS_CODE],
    [ours.ATTR_HTTP_ROUTE, stable.ATTR_HTTP_ROUTE],
    [ours.ATTR_SERVER_ADDRESS, stable.ATTR_SERVER_ADDRESS],
    [ours.ATTR_SERVER_PORT, stable.ATTR_SERVER_PORT],
    [ours.ATTR_URL_FULL, stable.ATTR_URL_FULL],
    [ours.ATTR_URL_PATH, stable.ATTR_URL_PATH],
    [ours.ATTR_URL_SCHEME, stable.ATTR_URL_SCHEME],
    [ours.ATTR_USER_AGENT_ORIGINAL, stable.ATTR_USER_AGENT_ORIGINAL],
    [ours.ATTR_URL_QUERY, stable.ATTR_URL_QUERY],
    [ours.ATTR_CLIENT_ADDRESS, stable.ATTR_CLIENT_ADDRESS],
    [ours.ATTR_NETWORK_PEER_ADDRESS, stable.ATTR_NETWORK_PEER_ADDRESS],
    [ours.ATTR_NETWORK_PEER_PORT, stable.ATTR_NETWORK_PEER_PORT],
    [ours.ATTR_NETWORK_PROTOCOL_VERSION, stable.ATTR_NETWORK_PROTOCOL_VERSION],
    [ours.HTTP_METHOD_OTHER, stable.HTTP_REQUEST_METHOD_VALUE_OTHER],
    [ours.METRIC_HTTP_SERVER_REQUEST_DURATION, stable.METRIC_HTTP_SERVER_REQUEST_DURATION],
    [ours.METRIC_HTTP_CLIENT_REQUEST_DURATION, stable.METRIC_HTTP_CLIENT_REQUEST_DURATION],
  ];
  assert.deepEqual(
    pairs.map(([copy]) => copy),
    pairs.map(([, original]) => original),
  );
});

void test("the incubating messaging names traceway copies match the package's", () => {
  const pairs: [string, string][] = [
    [ours.ATTR_MESSAGING_SYSTEM_NAME, incubating.ATTR_MESSAGING_SYSTEM_NAME],
    [ours.MESSAGING_SYSTEM_KAFKA, incubating.MESSAGING_SYSTEM_NAME_VALUE_KAFKA],
    [ours.ATTR_MESSAGING_DESTINATION_NAME, incubating.ATTR_MESSAGING_DESTINATION_NAME],
    [ours.ATTR_MESSAGING_DESTINATION_PARTITION_ID, incubating.ATTR_MESSAGING_DESTINATION_PARTITION_ID],
    [ours.ATTR_MESSAGING_CONSUMER_GROUP_NAME, incubating.ATTR_MESSAGING_CONSUMER_GROUP_NAME],
    [ours.ATTR_MESSAGING_CLIENT_ID, incubating.ATTR_MESSAGING_CLIENT_ID],
    [ours.ATTR_MESSAGING_OPERATION_TYPE, incubating.ATTR_MESSAGING_OPERATION_TYPE],
    [ours.ATTR_MESSAGING_OPERATION_NAME, incubating.ATTR_MESSAGING_OPERATION_NAME],
    [ours.ATTR_MESSAGING_BATCH_MESSAGE_COUNT, incubating.ATTR_MESSAGING_BATCH_MESSAGE_COUNT],
    [ours.ATTR_MESSAGING_MESSAGE_BODY_SIZE, incubating.ATTR_MESSAGING_MESSAGE_BODY_SIZE],
    [ours.ATTR_KAFKA_OFFSET, incubating.ATTR_KAFKA_OFFSET],
    [ours.ATTR_KAFKA_MESSAGE_KEY, incubating.ATTR_KAFKA_MESSAGE_KEY],
    [ours.ATTR_KAFKA_MESSAGE_TOMBSTONE, incubating.ATTR_KAFKA_MESSAGE_TOMBSTONE],
    [ours.MESSAGING_OPERATION_TYPE_CREATE, incubating.MESSAGING_OPERATION_TYPE_VALUE_CREATE],
    [ours.MESSAGING_OPERATION_TYPE_SEND, incubating.MESSAGING_OPERATION_TYPE_VALUE_SEND],
    [ours.MESSAGING_OPERATION_TYPE_PROCESS, incubating.MESSAGING_OPERATION_TYPE_VALUE_PROCESS],
    [ours.MESSAGING_OPERATION_TYPE_RECEIVE, incubating.MESSAGING_OPERATION_TYPE_VALUE_RECEIVE],
    [ours.METRIC_MESSAGING_CLIENT_OPERATION_DURATION, incubating.METRIC_MESSAGING_CLIENT_OPERATION_DURATION],
    [ours.METRIC_MESSAGING_PROCESS_DURATION, incubating.METRIC_MESSAGING_PROCESS_DURATION],
    [ours.METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES, incubating.METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES],
    [ours.METRIC_MESSAGING_CLIENT_SENT_MESSAGES, incubating.METRIC_MESSAGING_CLIENT_SENT_MESSAGES],
  ];
  assert.deepEqual(
    pairs.map(([copy]) => copy),
    pairs.map(([, original]) => original),
  );
});
