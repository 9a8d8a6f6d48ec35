import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { startCli, type CliProcess } from "../../helpers/cli-process.ts";
import { markdownTable } from "../../helpers/markdown-block.ts";
import { ensureServices, ETCD_ENDPOINT, REPO_ROOT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { endpointValue } from "./discovery-harness.ts";
import { freePort } from "./private-etcd.ts";

// The discovery series as `traceway --config` serves them to Prometheus: the names and labels
// docs/discovery.md lists, with the values of a prefix holding one good and one malformed value.
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: Etcd3;
let dir: string;
let cli: CliProcess;
let metricsUrl: string;

before(async () => {
  await ensureServices("etcd");
  etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
  await etcd.put(`${prefix}good`).value(endpointValue("127.0.0.1:9951"));
  await etcd.put(`${prefix}bad`).value("not json");
  dir = await mkdtemp(join(tmpdir(), "traceway-series-"));
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  const file = join(dir, "traceway.yaml");
  await writeFile(
    file,
    [
      "server: { listen: 127.0.0.1:0 }",
      "upstreams:",
      "  api:",
      `    discovery: { etcd: { endpoints: ["${ETCD_ENDPOINT}"], prefix: "${prefix}" } }`,
      `telemetry: { prometheus: { listen: "127.0.0.1:${port}" } }`,
      "logging: { accessLog: false }",
    ].join("\n"),
  );
  cli = startCli(["--config", file]);
  await cli.waitForOutput(/traceway listening/, "the balancer to listen");
});

after(async () => {
  await cli?.stop();
  await etcd.delete().prefix(prefix);
  etcd.close();
  await rm(dir, { recursive: true, force: true });
});

/** `family → sorted label names`, and the samples, of the traceway_discovery_* series scraped. */
async function scrape(): Promise<{ labels: Map<string, string>; samples: Map<string, number> }> {
  const text = await (await fetch(metricsUrl)).text();
  const labels = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(traceway_discovery_\w+)\{([^}]*)\} (\S+)/.exec(line);
    if (!match) continue;
    const [, family = "", labelText = "", value = ""] = match;
    const pairs = [...labelText.matchAll(/(\w+)="([^"]*)"/g)];
    const names = pairs.map((p) => p[1]).filter((n) => n !== "otel_scope_name");
    labels.set(family, names.sort().join(" "));
    samples.set(
      `${family}{${pairs
        .filter((p) => p[1] !== "otel_scope_name")
        .map((p) => `${p[1]}=${p[2]}`)
        .join(",")}}`,
      Number(value),
    );
  }
  return { labels, samples };
}

void test("the discovery series are served with the names, labels and values docs/discovery.md gives", async () => {
  const { labels, samples } = await waitFor(
    async () => {
      const s = await scrape();
      return s.labels.has("traceway_discovery_sync_age_seconds") ? s : undefined;
    },
    { what: "the discovery series in the scrape" },
  );
  const documented = new Map(
    markdownTable(join(REPO_ROOT, "docs", "discovery.md"), "## Metrics").map(
      ([series = "", , , cellLabels = ""]) => [
        /`([^`]+)`/.exec(series)?.[1] ?? "",
        [...cellLabels.matchAll(/`([^`]+)`/g)]
          .map((m) => m[1])
          .sort()
          .join(" "),
      ],
    ),
  );
  // Errors appear only once something failed; every other documented family is served.
  assert.deepEqual(
    [...labels.keys()].sort(),
    [...documented.keys()].filter((f) => f !== "traceway_discovery_errors_total").sort(),
  );
  for (const [family, names] of labels) assert.equal(names, documented.get(family), family);
  assert.equal(
    documented.get("traceway_discovery_errors_total"),
    "error_type traceway_discovery_source traceway_upstream",
  );

  const api = "traceway_discovery_source=etcd,traceway_upstream=api";
  const value = (family: string) =>
    [...samples].find(
      ([key]) =>
        key.startsWith(`${family}{`) &&
        ["traceway_upstream=api", "traceway_discovery_source=etcd"].every((l) => key.includes(l)),
    )?.[1];
  assert.equal(value("traceway_discovery_backends"), 1, api);
  assert.equal(value("traceway_discovery_malformed_values_total"), 1);
  assert.equal(value("traceway_discovery_stale"), 0);
  assert.ok((value("traceway_discovery_updates_total") ?? 0) >= 1);
  assert.ok((value("traceway_discovery_sync_age_seconds") ?? Infinity) < 15);
});
