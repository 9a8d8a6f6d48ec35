/** Runtime of every process: CPU, memory, and the Go services' goroutines, heap and GC pauses. */
import type { DashboardSpec } from "./grafana.ts";
import { M } from "./metric-names.ts";

const J = 'job=~"$job"';
const rate = (series: string): string => `rate(${series}[$__rate_interval])`;

export const runtime: DashboardSpec = {
  uid: "traceway-runtime",
  title: "traceway runtime",
  description: "CPU, memory and garbage collection of the processes in the system.",
  variables: [{ name: "job", label: "Job", query: `label_values(${M.processCpu}, job)` }],
  rows: [
    {
      title: "Processes",
      panels: [
        {
          title: "CPU used by process (1 = one core)",
          description: "User and system CPU time per second of wall time.",
          queries: [
            {
              expr: `sum by (job, instance) (${rate(`${M.processCpu}{${J}}`)})`,
              legend: "{{instance}}",
              unit: "percentunit",
            },
          ],
        },
        {
          title: "Resident memory by process",
          description: "Memory the process holds in RAM.",
          queries: [
            { expr: `sum by (job, instance) (${M.processRss}{${J}})`, legend: "{{instance}}", unit: "bytes" },
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
