/** traceway overview: what clients got, what each attempt at a backend did, backends, discovery, traces. */
import type { DashboardSpec } from "./grafana.ts";
import { M } from "./metric-names.ts";

// traceway_upstream!="": the services' own series of the same names have none.
const U = 'traceway_upstream=~"$upstream",traceway_upstream!=""';
const rate = (series: string): string => `rate(${series}[$__rate_interval])`;
const p = (q: number, metric: string, by: string, filter = U): string =>
  `histogram_quantile(${q}, sum by (le, ${by}) (${rate(`${metric}_bucket{${filter}}`)}))`;
/** A counter that appears only once something happened reads 0 wherever its reference has traffic. */
const orZero = (expr: string, reference: string): string => `(${expr}) or (${reference}) * 0`;

export const overview: DashboardSpec = {
  uid: "traceway-overview",
  title: "traceway overview",
  description:
    "What traceway's clients got, each attempt at a backend, backend health, discovery and trace export.",
  variables: [
    { name: "upstream", label: "Upstream", query: `label_values(${M.backendUp}, traceway_upstream)` },
  ],
  rows: [
    {
      title: "Clients: requests traceway answered",
      panels: [
        {
          title: "Requests answered per second by status",
          description: "Every request traceway answered, by HTTP status; retried attempts count once.",
          queries: [
            {
              expr: `sum by (http_response_status_code) (${rate(`${M.tracewayServerDuration}_count{${U}}`)})`,
              legend: "{{http_response_status_code}}",
              unit: "reqps",
            },
          ],
        },
        {
          title: "5xx share of answered requests (P0 at 0.5 %)",
          description: "The ratio the P0 alert TracewayUpstream5xxRatioHigh watches.",
          queries: [
            {
              expr: `(${orZero(
                `sum by (traceway_upstream) (${rate(`${M.tracewayServerDuration}_count{${U},http_response_status_code=~"5.."}`)})`,
                `sum by (traceway_upstream) (${rate(`${M.tracewayServerDuration}_count{${U}}`)})`,
              )}) / sum by (traceway_upstream) (${rate(`${M.tracewayServerDuration}_count{${U}}`)})`,
              legend: "{{traceway_upstream}}",
              unit: "percentunit",
            },
          ],
        },
        {
          title: "Client-facing latency p50 / p95 / p99",
          description:
            "From the request's arrival to the end of the response, retries included (P1 at p99 over 2 s).",
          wide: true,
          queries: [0.5, 0.95, 0.99].map((q) => ({
            expr: p(q, M.tracewayServerDuration, "traceway_upstream"),
            legend: `p${q * 100} {{traceway_upstream}}`,
            unit: "s",
          })),
        },
      ],
    },
    {
      title: "Upstream attempts: each try of a backend",
      panels: [
        {
          title: "Attempts per second by backend",
          description: "One per try of a backend; a retried request makes two.",
          queries: [
            {
              expr: `sum by (traceway_backend) (${rate(`${M.tracewayClientDuration}_count{${U}}`)})`,
              legend: "{{traceway_backend}}",
              unit: "reqps",
            },
          ],
        },
        {
          title: "Failed attempts per second by backend and error type",
          description:
            "Attempts that got a status of 400 or more (error_type is the status) or no response at all (timeout, connect_error, reset, ...).",
          queries: [
            {
              expr: `sum by (traceway_backend, error_type) (${rate(`${M.tracewayClientDuration}_count{${U},error_type!=""}`)})`,
              legend: "{{traceway_backend}} {{error_type}}",
              unit: "reqps",
            },
          ],
        },
        {
          title: "Attempt latency p95 by backend",
          description: "Until the backend's response headers (or the error), per attempt.",
          queries: [
            {
              expr: p(0.95, M.tracewayClientDuration, "traceway_backend"),
              legend: "{{traceway_backend}}",
              unit: "s",
            },
          ],
        },
        {
          title: "Retries (extra attempts) per second by backend",
          description:
            "Attempts made after another backend failed the same request, by the backend retried on.",
          queries: [
            {
              expr: orZero(
                `sum by (traceway_backend) (${rate(`${M.retries}{${U}}`)})`,
                `sum by (traceway_backend) (${rate(`${M.tracewayClientDuration}_count{${U}}`)})`,
              ),
              legend: "{{traceway_backend}}",
              unit: "reqps",
            },
          ],
        },
      ],
    },
    {
      title: "Backends and backlog",
      panels: [
        {
          title: "Backend up (1) / out of rotation (0)",
          description: "Active and passive health together (P2 TracewayBackendDown after a minute at 0).",
          queries: [
            {
              expr: `max by (traceway_backend) (${M.backendUp}{${U}})`,
              legend: "{{traceway_backend}}",
              unit: "none",
            },
          ],
        },
        {
          title: "Attempts in flight by backend",
          description: "Attempts sent to each backend and not yet answered.",
          queries: [
            {
              expr: `sum by (traceway_backend) (${M.inFlight}{${U}})`,
              legend: "{{traceway_backend}}",
              unit: "short",
            },
          ],
        },
        {
          title: "Requests waiting for a connection slot",
          description: "Requests queued because every backend is at maxConnsPerBackend.",
          queries: [
            {
              expr: `sum by (traceway_upstream) (${M.queueLength}{${U}})`,
              legend: "{{traceway_upstream}}",
              unit: "short",
            },
          ],
        },
        {
          title: "Connection-slot wait p95",
          description: "How long queued requests waited for a slot (only requests that queued).",
          queries: [
            { expr: p(0.95, M.queueWait, "traceway_upstream"), legend: "{{traceway_upstream}}", unit: "s" },
          ],
        },
        {
          title: "Passive-health ejections in the last 5 minutes",
          description:
            "Backends ejected after failures seen in real traffic (nginx max_fails, Envoy consecutive 5xx).",
          queries: [
            {
              expr: orZero(
                `sum by (traceway_backend) (increase(${M.ejections}{${U}}[5m]))`,
                `max by (traceway_backend) (max_over_time(${M.backendUp}{${U}}[5m]))`,
              ),
              legend: "{{traceway_backend}}",
              unit: "short",
            },
          ],
        },
        {
          title: "Requests refused per second (no healthy backend)",
          description: "503 TRACEWAY_ERR_NO_HEALTHY_BACKEND (P0 TracewayNoHealthyBackend).",
          queries: [
            {
              expr: orZero(
                `sum by (traceway_upstream) (${rate(`${M.refused}{${U}}`)})`,
                `sum by (traceway_upstream) (${rate(`${M.tracewayServerDuration}_count{${U}}`)})`,
              ),
              legend: "{{traceway_upstream}}",
              unit: "reqps",
            },
          ],
        },
        {
          title: "Body bytes per second by backend",
          description: "Request bodies sent to and response bodies received from each backend.",
          wide: true,
          queries: [
            {
              expr: `sum by (traceway_backend) (${rate(`${M.requestBytes}{${U}}`)})`,
              legend: "sent {{traceway_backend}}",
              unit: "Bps",
            },
            {
              expr: `sum by (traceway_backend) (${rate(`${M.responseBytes}{${U}}`)})`,
              legend: "received {{traceway_backend}}",
              unit: "Bps",
            },
          ],
        },
      ],
    },
    {
      title: "Discovery and trace export",
      panels: [
        {
          title: "Backends discovered by source",
          description: "Backends each upstream has from etcd (or its cache file, or the static list).",
          queries: [
            {
              expr: `sum by (traceway_upstream, traceway_discovery_source) (${M.discoveryBackends}{${U}})`,
              legend: "{{traceway_upstream}} {{traceway_discovery_source}}",
              unit: "short",
            },
          ],
        },
        {
          title: "Seconds since etcd last answered",
          description:
            "Below 10 while discovery is healthy; grows while etcd is unreachable and the last known set is served.",
          queries: [
            {
              expr: `max by (traceway_upstream) (${M.discoverySyncAge}{${U}})`,
              legend: "{{traceway_upstream}}",
              unit: "s",
            },
          ],
        },
        {
          title: "Spans waiting in the export queue",
          description: "traceway's batch span processor; at its capacity (2048) new spans are dropped.",
          queries: [
            { expr: `sum by (job) (${M.spanQueue}{job="traceway"})`, legend: "{{job}}", unit: "short" },
          ],
        },
        {
          title: "Spans dropped per second (queue full)",
          description: "P2 TracewaySpansDropped after 10 minutes.",
          queries: [
            {
              expr: orZero(
                `sum by (job) (${rate(`${M.spansProcessed}{job="traceway",error_type="queue_full"}`)})`,
                `sum by (job) (${rate(`${M.spansProcessed}{job="traceway"}`)})`,
              ),
              legend: "{{job}}",
              unit: "ops",
            },
          ],
        },
      ],
    },
  ],
};
