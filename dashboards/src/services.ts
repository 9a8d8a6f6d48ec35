/** The services behind traceway (examples/gin-service): RED per instance, orders, the database, etcd. */
import type { DashboardSpec } from "./grafana.ts";
import { M } from "./metric-names.ts";

const S = 'job=~"$job",instance=~"$instance"';
// The service's own series: traceway's carry traceway_upstream, a service's never do.
const SERVED = `${S},traceway_upstream=""`;
const rate = (series: string): string => `rate(${series}[$__rate_interval])`;

export const services: DashboardSpec = {
  uid: "traceway-services",
  title: "traceway services",
  description:
    "The balanced services themselves: requests, errors and latency per instance, orders, database, registration.",
  variables: [
    { name: "job", label: "Service", query: `label_values(${M.dbDuration}_count, job)` },
    {
      name: "instance",
      label: "Instance",
      query: `label_values(${M.dbDuration}_count{job=~"$job"}, instance)`,
    },
  ],
  rows: [
    {
      title: "Requests the services served",
      panels: [
        {
          title: "Requests served per second by instance and status",
          description: "Every API request each instance answered, whoever sent it.",
          queries: [
            {
              expr: `sum by (instance, http_response_status_code) (${rate(`${M.ginServerDuration}_count{${SERVED}}`)})`,
              legend: "{{instance}} {{http_response_status_code}}",
              unit: "reqps",
            },
          ],
        },
        {
          title: "5xx share of served requests by instance (P0 at 0.5 % per service)",
          description: "The per-instance view of the P0 alert Service5xxRatioHigh.",
          queries: [
            {
              expr: `((sum by (instance) (${rate(`${M.ginServerDuration}_count{${SERVED},http_response_status_code=~"5.."}`)})) or (sum by (instance) (${rate(`${M.ginServerDuration}_count{${SERVED}}`)})) * 0) / sum by (instance) (${rate(`${M.ginServerDuration}_count{${SERVED}}`)})`,
              legend: "{{instance}}",
              unit: "percentunit",
            },
          ],
        },
        {
          title: "Request latency p95 by route",
          description: "Inside the service, from the request's arrival to the response.",
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (le, http_route) (${rate(`${M.ginServerDuration}_bucket{${SERVED}}`)}))`,
              legend: "{{http_route}}",
              unit: "s",
            },
          ],
        },
        {
          title: "Requests in progress by instance",
          description: "API requests each instance is serving now.",
          queries: [
            {
              expr: `sum by (instance) (${M.ginActiveRequests}{${S}})`,
              legend: "{{instance}}",
              unit: "short",
            },
          ],
        },
      ],
    },
    {
      title: "Business: orders",
      panels: [
        {
          title: "Orders per second by outcome",
          description: "POST /orders: accepted (stored), rejected (4xx, bad input), failed (5xx).",
          queries: [
            { expr: `sum by (result) (${rate(`${M.orders}{${S}}`)})`, legend: "{{result}}", unit: "ops" },
          ],
        },
        {
          title: "Orders stored but not yet sent to Kafka",
          description: "The outbox: orders the broker has not acknowledged yet; retried every 5 s.",
          queries: [
            { expr: `sum by (instance) (${M.outboxPending}{${S}})`, legend: "{{instance}}", unit: "short" },
          ],
        },
      ],
    },
    {
      title: "Database",
      panels: [
        {
          title: "Database operation p95 by operation (P1 at 500 ms)",
          description:
            "SQLite statements by operation and table (P1 ServiceDbQueryP95High watches all of them together).",
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (le, db_operation_name, db_collection_name) (${rate(`${M.dbDuration}_bucket{${S}}`)}))`,
              legend: "{{db_operation_name}} {{db_collection_name}}",
              unit: "s",
            },
          ],
        },
        {
          title: "Database operations per second by operation",
          description: "SQLite statements by operation and table.",
          queries: [
            {
              expr: `sum by (db_operation_name, db_collection_name) (${rate(`${M.dbDuration}_count{${S}}`)})`,
              legend: "{{db_operation_name}} {{db_collection_name}}",
              unit: "ops",
            },
          ],
        },
      ],
    },
    {
      title: "Registration and faults",
      panels: [
        {
          title: "Registered in etcd (1) by instance",
          description: "1 while the instance's key is held under a live lease.",
          queries: [
            { expr: `max by (instance) (${M.etcdRegistered}{${S}})`, legend: "{{instance}}", unit: "none" },
          ],
        },
        {
          title: "Injected error share by instance",
          description:
            "The fault injection knob (PUT /admin/faults): the share of API requests answered 500 on purpose.",
          queries: [
            {
              expr: `max by (instance) (${M.faultErrorRatio}{${S}})`,
              legend: "{{instance}}",
              unit: "percentunit",
            },
          ],
        },
      ],
    },
  ],
};
