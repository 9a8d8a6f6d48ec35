/**
 * Runtime of every process: CPU and memory, the Node processes' event loop, GC pauses and heap
 * (traceway, the Kafka workers), and the Go services' goroutines, heap and GC pauses.
 */
import type { DashboardSpec } from "./grafana.ts";
import { M } from "./metric-names.ts";

const J = 'job=~"$job"';
const rate = (series: string): string => `rate(${series}[$__rate_interval])`;

export const runtime: DashboardSpec = {
  uid: "traceway-runtime",
  title: "traceway runtime",
  description: "CPU, memory and garbage collection of the processes in the system.",
  variables: [{ name: "job", label: "Job", query: "label_values(up, job)" }],
  rows: [
    {
      title: "Processes",
      panels: [
        {
          title: "CPU used by process (1 = one core)",
          description:
            "User and system CPU time per second of wall time: Go's client names it process_cpu_seconds_total, OpenTelemetry's host-metrics process_cpu_time_seconds_total.",
          queries: [
            {
              expr: `sum by (job, instance) (${rate(`${M.processCpu}{${J}}`)})`,
              legend: "{{instance}}",
              unit: "percentunit",
            },
            {
              expr: `sum by (job, instance) (${rate(`${M.nodeCpu}{${J}}`)})`,
              legend: "{{instance}}",
              unit: "percentunit",
            },
          ],
        },
        {
          title: "Resident memory by process",
          description:
            "Memory the process holds in RAM (Go: process_resident_memory_bytes, Node: process_memory_usage).",
          queries: [
            { expr: `sum by (job, instance) (${M.processRss}{${J}})`, legend: "{{instance}}", unit: "bytes" },
            { expr: `sum by (job, instance) (${M.nodeRss}{${J}})`, legend: "{{instance}}", unit: "bytes" },
          ],
        },
      ],
    },
    {
      title: "Node runtime (traceway, Kafka workers)",
      panels: [
        {
          title: "Event-loop delay p99 by instance",
          description:
            "How late timers fire, p99 since the previous scrape (sampled every 10 ms): the time every request and message waits on a busy loop.",
          queries: [
            { expr: `max by (instance) (${M.eventLoopDelayP99}{${J}})`, legend: "{{instance}}", unit: "s" },
          ],
        },
        {
          title: "Event-loop utilization by instance",
          description: "Share of the time the event loop was busy; near 1 the process is CPU bound.",
          queries: [
            {
              expr: `max by (instance) (${M.eventLoopUtilization}{${J}})`,
              legend: "{{instance}}",
              unit: "percentunit",
            },
          ],
        },
        {
          title: "Longest V8 GC pause bucket reached p99 by instance (P2 at a single pause over 2 s)",
          description:
            "V8 garbage-collection pauses from the runtime instrumentation's v8js.gc.duration, one count per pause (TracewayGcPauseLong fires on any over 2 s).",
          queries: [
            {
              expr: `histogram_quantile(0.99, sum by (le, instance) (${rate(`${M.v8GcDuration}_bucket{${J}}`)}))`,
              legend: "{{instance}}",
              unit: "s",
            },
          ],
        },
        {
          title: "V8 GC pauses per second by instance and kind",
          description: "How often V8 collects, by v8js.gc.type (minor, major, incremental, weakcb).",
          queries: [
            {
              expr: `sum by (instance, v8js_gc_type) (${rate(`${M.v8GcDuration}_count{${J}}`)})`,
              legend: "{{instance}} {{v8js_gc_type}}",
              unit: "ops",
            },
          ],
        },
        {
          title: "V8 heap used by instance",
          description: "Bytes of live objects across V8's heap spaces.",
          queries: [
            { expr: `sum by (instance) (${M.v8HeapUsed}{${J}})`, legend: "{{instance}}", unit: "bytes" },
          ],
        },
      ],
    },
    {
      title: "Go runtime (gin-service)",
      panels: [
        {
          title: "Longest GC pause bucket reached p99 by instance (P2 at a single pause over 2 s)",
          description:
            "Stop-the-world GC pauses from runtime/metrics, one count per pause (ServiceGcPauseLong fires on any over 2 s).",
          queries: [
            {
              expr: `histogram_quantile(0.99, sum by (le, instance) (${rate(`${M.goGcPauses}_bucket{${J}}`)}))`,
              legend: "{{instance}}",
              unit: "s",
            },
          ],
        },
        {
          title: "GC pauses per second by instance",
          description: "How often the Go GC stops the world.",
          queries: [
            {
              expr: `sum by (instance) (${rate(`${M.goGcPauses}_count{${J}}`)})`,
              legend: "{{instance}}",
              unit: "ops",
            },
          ],
        },
        {
          title: "Go heap in use by instance",
          description: "Bytes of allocated heap objects.",
          queries: [
            { expr: `sum by (instance) (${M.goHeapAlloc}{${J}})`, legend: "{{instance}}", unit: "bytes" },
          ],
        },
        {
          title: "Goroutines by instance",
          description: "A number that only grows is a leak.",
          queries: [
            { expr: `sum by (instance) (${M.goGoroutines}{${J}})`, legend: "{{instance}}", unit: "short" },
          ],
        },
      ],
    },
  ],
};
