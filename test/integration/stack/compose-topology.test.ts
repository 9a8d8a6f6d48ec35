import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import {
  COMPOSE_ALERTMANAGER,
  COMPOSE_PROMETHEUS,
  nativeAlertmanagerConfig,
  nativePrometheusConfig,
} from "../../../scripts/stack/configs.ts";
import { resolvePorts } from "../../../scripts/stack/ports.ts";
import { appProcesses, composeAddresses, INFRA } from "../../../scripts/stack/topology.ts";
import { REPO_ROOT } from "../../helpers/services.ts";

// docker-compose.yml and `npm run stack` describe one topology: the same services, the same config and
// rule files, the same scrape targets (compose's container addresses are the stack's loopback ports).
interface Service {
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
}
const compose = parse(await readFile(join(REPO_ROOT, "docker-compose.yml"), "utf8")) as {
  services: Record<string, Service>;
};
const ports = resolvePorts(0, {});
const layout = { root: REPO_ROOT, dir: join(REPO_ROOT, ".stack-topology-test"), ports };
const apps = appProcesses(layout, "gin-service", true);
/** Grafana needs a browser to be of use; the native stack prints how to import the dashboards instead. */
// Grafana has no Debian package; Filebeat ships container logs, which `npm run stack` writes to files.
const COMPOSE_ONLY = ["grafana", "filebeat"];

const mounts = (service: string): string[] =>
  (compose.services[service]?.volumes ?? []).map((v) => v.split(":")[0] ?? "");

describe("docker-compose.yml and npm run stack: one topology", () => {
  it("run the same services", () => {
    const native = [...INFRA, ...apps.map((a) => a.name)].sort();
    const composed = Object.keys(compose.services)
      .filter((s) => !COMPOSE_ONLY.includes(s))
      .sort();
    assert.deepEqual(composed, native);
  });

  it("publish the same well-known ports by default", () => {
    const published = Object.values(compose.services).flatMap((s) =>
      (s.ports ?? []).map((p) => Number(p.split(":")[0])),
    );
    for (const [name, port] of Object.entries({
      traceway: ports.traceway,
      tracewayMetrics: ports.tracewayMetrics,
      prometheus: ports.prometheus,
      alertmanager: ports.alertmanager,
      jaegerUi: ports.jaegerUi,
      jaegerOtlpHttp: ports.jaegerOtlpHttp,
      etcd: ports.etcd,
      kafka: ports.kafka,
    })) {
      assert.ok(published.includes(port), `${name} on ${port} in both`);
    }
  });

  it("read the same config and rule files", () => {
    assert.ok(mounts("prometheus").includes("./dashboards/prometheus.yml"));
    assert.ok(mounts("prometheus").includes("./dashboards/alerts"));
    assert.equal(COMPOSE_PROMETHEUS(REPO_ROOT), join(REPO_ROOT, "dashboards", "prometheus.yml"));
    const rules = nativePrometheusConfig(layout).rule_files ?? [];
    assert.ok(rules.length > 0);
    for (const rule of rules) assert.ok(rule.startsWith(join(REPO_ROOT, "dashboards", "alerts")), rule);
    assert.ok(mounts("alertmanager").includes("./dashboards/alertmanager.yml"));
    assert.equal(COMPOSE_ALERTMANAGER(REPO_ROOT), join(REPO_ROOT, "dashboards", "alertmanager.yml"));
    const tracewayConfig = mounts("traceway").find((m) => m.endsWith(".yaml"));
    assert.equal(tracewayConfig, "./examples/stack/traceway.yaml");
    const native = apps.find((a) => a.name === "traceway");
    assert.ok(native?.args.includes(join(REPO_ROOT, "examples", "stack", "traceway.yaml")));
  });

  it("scrape the same targets: every compose target is a stack process's port", async () => {
    const composeConfig = parse(await readFile(COMPOSE_PROMETHEUS(REPO_ROOT), "utf8")) as {
      scrape_configs: {
        job_name: string;
        static_configs: { targets: string[]; labels?: Record<string, string> }[];
      }[];
    };
    const nativeConfig = nativePrometheusConfig(layout);
    const map = composeAddresses(ports);
    let targets = 0;
    for (const job of composeConfig.scrape_configs) {
      const nativeJob = nativeConfig.scrape_configs?.find((j) => j.job_name === job.job_name);
      assert.ok(nativeJob, `job ${job.job_name} in both`);
      job.static_configs.forEach((group, i) => {
        const nativeGroup = nativeJob.static_configs?.[i];
        assert.deepEqual(nativeGroup?.labels, group.labels, `${job.job_name}: same instance labels`);
        for (const [k, target] of group.targets.entries()) {
          const [host] = target.split(":");
          assert.ok(compose.services[host ?? ""], `${target} is a compose service`);
          assert.equal(nativeGroup?.targets[k], map.get(target), `${target} → the stack's port`);
          targets += 1;
        }
      });
    }
    const nativeUrls = apps.flatMap((a) => a.urls.map((u) => new URL(u.url).host));
    for (const address of map.values()) {
      const port = Number(address.split(":")[1]);
      assert.ok(Object.values(ports).includes(port), `${address} is a stack port`);
    }
    assert.ok(nativeUrls.length > 0);
    assert.ok(targets >= 8, `${targets} targets`);
  });

  it("send alerts to the same receivers", () => {
    const nativeAm = nativeAlertmanagerConfig(layout, { onCall: undefined, ticketQueue: undefined });
    const urls = (nativeAm.receivers ?? []).flatMap((r) => (r.webhook_configs ?? []).map((h) => h.url));
    assert.deepEqual(urls, [
      `http://127.0.0.1:${ports.alertWebhook}/on-call`,
      `http://127.0.0.1:${ports.alertWebhook}/ticket-queue`,
    ]);
  });
});
