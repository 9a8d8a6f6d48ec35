import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { REPO_ROOT } from "../../helpers/services.ts";

const run = promisify(execFile);
const ALERTS = join(REPO_ROOT, "dashboards", "alerts");

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
interface Group {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly Rule[];
}
interface RuleTest {
  readonly alert_rule_test?: readonly {
    readonly alertname: string;
    readonly exp_alerts: readonly unknown[];
  }[];
}

const rules = parse(await readFile(join(ALERTS, "traceway-rules.yml"), "utf8")) as { groups: Group[] };
const tests = parse(await readFile(join(ALERTS, "traceway-rules.test.yml"), "utf8")) as { tests: RuleTest[] };
const alerts = rules.groups.flatMap((g) =>
  g.rules.filter((r) => r.alert !== undefined).map((r) => ({ group: g, rule: r })),
);

/** The seed's sampling per priority: the evaluation interval of the group an alert of it lives in. */
const INTERVAL = { P0: "15s", P1: "30s", P2: "1m" } as const;

describe("Prometheus alert rules", () => {
  it("pass promtool check rules", async () => {
    const { stdout } = await run("promtool", ["check", "rules", join(ALERTS, "traceway-rules.yml")]);
    assert.match(stdout, /SUCCESS: \d+ rules found/);
  });

  it("fire and stay quiet as their promtool unit tests say (P0's timing included)", async () => {
    const { stdout } = await run("promtool", ["test", "rules", "traceway-rules.test.yml"], { cwd: ALERTS });
    assert.match(stdout, /SUCCESS/);
  });

  it("each alert has a P0/P1/P2 severity in a group sampled at the seed's interval", () => {
    assert.ok(alerts.length >= 10, `${alerts.length} alerts`);
    for (const { group, rule } of alerts) {
      const severity = rule.labels?.["severity"] as keyof typeof INTERVAL | undefined;
      assert.ok(severity !== undefined && severity in INTERVAL, `${rule.alert}: severity ${severity}`);
      assert.equal(group.interval, INTERVAL[severity], `${rule.alert} (${severity}) in group ${group.name}`);
    }
    const p0 = alerts.find((a) => a.rule.alert === "TracewayUpstream5xxRatioHigh")?.rule;
    assert.equal(p0?.for, "30s", "three 15 s breaches in a row: pending at the first, firing at the third");
  });

  it("each alert has a summary, a description and a runbook that exists", () => {
    for (const { rule } of alerts) {
      const { summary, description, runbook_url: runbook } = rule.annotations ?? {};
      assert.ok(summary, `${rule.alert}: summary`);
      assert.ok(description, `${rule.alert}: description`);
      assert.equal(runbook, `docs/runbooks/${rule.alert}.md`, `${rule.alert}: runbook_url`);
      assert.ok(existsSync(join(REPO_ROOT, runbook)), `${runbook} exists`);
    }
  });

  it("each alert has a promtool case where it fires and one where it stays quiet", () => {
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { rule } of alerts) {
      const mine = cases.filter((c) => c.alertname === rule.alert);
      assert.ok(
        mine.some((c) => c.exp_alerts.length > 0),
        `${rule.alert}: a firing case`,
      );
      assert.ok(
        mine.some((c) => c.exp_alerts.length === 0),
        `${rule.alert}: a quiet case`,
      );
    }
  });
});

describe("Alertmanager routing (dashboards/alertmanager.yml)", () => {
  const config = join(REPO_ROOT, "dashboards", "alertmanager.yml");

  it("passes amtool check-config", async () => {
    const { stdout } = await run("amtool", ["check-config", config]);
    assert.match(stdout, /SUCCESS/);
  });

  it("sends P0 to on-call, P1 and P2 to the ticket queue", async () => {
    for (const [severity, receiver] of [
      ["P0", "on-call"],
      ["P1", "ticket-queue"],
      ["P2", "ticket-queue"],
    ] as const) {
      const { stdout } = await run("amtool", [
        "config",
        "routes",
        "test",
        `--config.file=${config}`,
        `severity=${severity}`,
      ]);
      assert.equal(stdout.trim(), receiver, `severity=${severity}`);
    }
  });

  it("lets a P0 notification leave at once (group_wait 5s) and every receiver is a webhook", async () => {
    const am = parse(await readFile(config, "utf8")) as {
      route: { routes: { receiver: string; group_wait?: string }[] };
      receivers: { name: string; webhook_configs?: { url: string }[] }[];
    };
    assert.equal(am.route.routes.find((r) => r.receiver === "on-call")?.group_wait, "5s");
    for (const receiver of am.receivers) assert.equal(receiver.webhook_configs?.length, 1, receiver.name);
  });
});
