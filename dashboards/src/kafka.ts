/**
 * Kafka: throughput, processing and end-to-end time per topic, lag in messages and seconds, group
 * status. The lag monitor's gauges are published by every process that watches a group (two workers
 * here), so each is first reduced with max by partition: a sum over processes would double the lag.
 */
import type { DashboardSpec } from "./grafana.ts";
import { M } from "./metric-names.ts";

const G = 'messaging_consumer_group_name=~"$group"';
const T = 'messaging_destination_name=~"$topic"';
const rate = (series: string): string => `rate(${series}[$__rate_interval])`;
const PARTITION =
  "messaging_consumer_group_name, messaging_destination_name, messaging_destination_partition_id";
const GROUP_TOPIC = "messaging_consumer_group_name, messaging_destination_name";
/** One row per partition, whichever processes publish it. */
const perPartition = (metric: string, extra = ""): string =>
  `max by (${PARTITION}${extra}) (${metric}{${G},${T}})`;

export const kafka: DashboardSpec = {
  uid: "traceway-kafka",
  title: "traceway Kafka",
  description:
    "Throughput, processing and end-to-end time per topic, consumer lag in messages and seconds, group status.",
  variables: [
    {
      name: "group",
      label: "Consumer group",
      query: `label_values(${M.groupLag}, messaging_consumer_group_name)`,
    },
    { name: "topic", label: "Topic", query: `label_values(${M.groupLag}, messaging_destination_name)` },
  ],
  rows: [
    {
      title: "Throughput",
      panels: [
        {
          title: "Messages produced and consumed per second by topic",
          description:
            "Produced: acknowledged sends of the Gin service; consumed: messages handed to the workers' handlers.",
          queries: [
            {
              expr: `sum by (messaging_destination_name) (${rate(`${M.sent}{${T},error_type=""}`)})`,
              legend: "produced {{messaging_destination_name}}",
              unit: "mps",
            },
            {
              expr: `sum by (messaging_destination_name) (${rate(`${M.consumed}{${T}}`)})`,
              legend: "consumed {{messaging_destination_name}}",
              unit: "mps",
            },
          ],
        },
        {
          title: "Handler errors per second by topic",
          description: "Messages whose handler threw, by error type (P2 KafkaConsumerHandlerErrors).",
          queries: [
            {
              expr: `(sum by (messaging_destination_name, error_type) (${rate(`${M.processErrors}{${T}}`)})) or (sum by (messaging_destination_name) (${rate(`${M.processDuration}_count{${T}}`)})) * 0`,
              legend: "{{messaging_destination_name}} {{error_type}}",
              unit: "mps",
            },
          ],
        },
      ],
    },
    {
      title: "Time",
      panels: [
        {
          title: "Processing time p95 by topic",
          description: "The handler's time per message.",
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (le, messaging_destination_name) (${rate(`${M.processDuration}_bucket{${T}}`)}))`,
              legend: "{{messaging_destination_name}}",
              unit: "s",
            },
          ],
        },
        {
          title: "End-to-end time p95 by topic (produced → processed)",
          description: "From the message's timestamp at the producer to the end of its handler.",
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (le, messaging_destination_name) (${rate(`${M.e2eDuration}_bucket{${T}}`)}))`,
              legend: "{{messaging_destination_name}}",
              unit: "s",
            },
          ],
        },
        {
          title: "Send time p95 by topic (send → broker ack)",
          description: "The Gin service's producer: from the send to the broker's acknowledgement.",
          wide: true,
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (le, messaging_destination_name) (${rate(`${M.sendDuration}_bucket{${T},messaging_operation_name="send"}`)}))`,
              legend: "{{messaging_destination_name}}",
              unit: "s",
            },
          ],
        },
      ],
    },
    {
      title: "Lag and group status",
      panels: [
        {
          title: "Lag (messages) by group and topic",
          description: "Committed-offset lag summed over partitions, each partition counted once.",
          queries: [
            {
              expr: `sum by (${GROUP_TOPIC}) (${perPartition(M.groupLag)})`,
              legend: "{{messaging_consumer_group_name}} / {{messaging_destination_name}}",
              unit: "short",
            },
          ],
        },
        {
          title: "Lag (seconds) by group and topic",
          description:
            "Age of the oldest unconsumed message, the worst partition (P1 KafkaConsumerLagHigh over 60 s).",
          queries: [
            {
              expr: `max by (${GROUP_TOPIC}) (${perPartition(M.groupTimeLag)})`,
              legend: "{{messaging_consumer_group_name}} / {{messaging_destination_name}}",
              unit: "s",
            },
          ],
        },
        {
          title: "Partitions by status (OK, WARN, STALL, STOP)",
          description:
            "Burrow-like status of each partition (P1 KafkaConsumerGroupStalled on STALL or STOP).",
          queries: [
            {
              expr: `sum by (messaging_consumer_group_name, traceway_kafka_lag_status) (${perPartition(M.groupStatus, ", traceway_kafka_lag_status")})`,
              legend: "{{messaging_consumer_group_name}} {{traceway_kafka_lag_status}}",
              unit: "short",
            },
          ],
        },
        {
          title: "Seconds since the lag monitor's last good poll",
          description: "Lag figures are only as fresh as this (P1 KafkaLagMonitorFailing over 60 s).",
          queries: [
            {
              expr: `max by (messaging_consumer_group_name) (${M.lagMonitorPollAge}{${G}})`,
              legend: "{{messaging_consumer_group_name}}",
              unit: "s",
            },
          ],
        },
        {
          title: "Consumer events in the last 5 minutes (joins, rebalances, commits, crashes)",
          description: "kafkajs lifecycle events of the workers.",
          wide: true,
          queries: [
            {
              expr: `sum by (traceway_kafka_event) (increase(${M.consumerEvents}{${G}}[5m]))`,
              legend: "{{traceway_kafka_event}}",
              unit: "short",
            },
          ],
        },
      ],
    },
  ],
};
