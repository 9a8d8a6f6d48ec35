/**
 * `npm run bench [-- --quick] [-- --sink] [-- --skip http,idle,...] [-- --target NAME ...]`: traceway against nginx,
 * HAProxy and two plain Node proxies on the same three nginx backends, traceway and nginx with 1
 * and 2 worker processes, plus the strategy
 * micro-benchmark, idle-connection RSS, failover and the Kafka consumer interceptors. Prints a
 * Markdown report and writes it to bench/results/<date>-<commit>[-quick].md. See docs/bench.md.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ChildRegistry } from "./lib/children.ts";
import type { FailoverRow } from "./lib/failover.ts";
import { runFailover } from "./lib/failover.ts";
import type { IdleRssRow } from "./lib/idle-rss.ts";
import { measureIdleRss } from "./lib/idle-rss.ts";
import { benchKafka } from "./lib/kafka-bench.ts";
import { benchBridge } from "./lib/kafka-bridge-bench.ts";
import { startLab } from "./lib/lab.ts";
import type { Lab } from "./lib/lab.ts";
import { NODE, RESULTS_DIR, ROOT, WORK_DIR } from "./lib/layout.ts";
import { machineInfo } from "./lib/machine.ts";
import type { OtlpReceiver } from "./lib/otlp-receiver.ts";
import { parseCli, SMALL } from "./lib/profile.ts";
import type { CliOptions, Section } from "./lib/profile.ts";
import { Progress } from "./lib/progress.ts";
import { renderReport } from "./lib/report.ts";
import type { BenchReport } from "./lib/report.ts";
import { runScenario } from "./lib/scenarios.ts";
import type { ScenarioResult } from "./lib/scenarios.ts";
import { strategiesSection } from "./lib/strategies-section.ts";
import { measureTelemetryCost } from "./lib/telemetry-cost.ts";
import type { TelemetryCostRow } from "./lib/telemetry-cost.ts";
import { ensureTools } from "./lib/tools.ts";
import { benchWorkers } from "./lib/workers-section.ts";
import type { WorkersResult } from "./lib/workers-section.ts";
import { prepareWorkDir } from "./lib/work-dir.ts";
import { killRunningWrk } from "./lib/wrk.ts";

const options: CliOptions = parseCli(process.argv.slice(2));
const { profile, sections } = options;
const progress = new Progress();
const registry = new ChildRegistry(join(WORK_DIR, "pids.json"));
const notes: string[] = [];
let receiver: OtlpReceiver | undefined;

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await registry.stopAll();
    await receiver?.close();
  })();
  return cleaning;
}
process.once("SIGINT", () => {
  progress.note("interrupted; stopping everything the bench started");
  killRunningWrk();
  void cleanup().finally(() => process.exit(130));
});
// If the process dies some other way, no nginx or traceway child may outlive it.
process.once("exit", () => {
  registry.killAllNow();
  killRunningWrk();
});

const reaped = registry.reapStale();
prepareWorkDir(WORK_DIR);
if (reaped > 0) progress.note(`killed ${reaped} processes left behind by an interrupted earlier run`);

interface HttpResults {
  http?: ScenarioResult[];
  idle?: IdleRssRow[];
  failover?: FailoverRow[];
  telemetry?: TelemetryCostRow[];
  workers?: WorkersResult;
}

async function httpSections(lab: Lab): Promise<HttpResults> {
  const report: HttpResults = {};
  // Idle RSS first, on fresh processes: after the 1 MB and 1000-connection scenarios a Node heap
  // has grown enough to hold 10k idle sockets without growing further, which would read as 0 KiB.
  if (sections.has("idle")) {
    report.idle = [];
    const wanted = profile.idleTargets;
    for (const target of lab.targets) {
      if (wanted !== "all" && !wanted.includes(target.name)) continue;
      report.idle.push(await measureIdleRss(registry, target, profile.idleConnections, progress));
    }
  }
  if (sections.has("http")) {
    report.http = [];
    for (const [i, scenario] of profile.scenarios.entries()) {
      report.http.push(
        await runScenario(
          scenario,
          lab.targets,
          profile.timing,
          progress,
          `[${i + 1}/${profile.scenarios.length}]`,
        ),
      );
    }
  }
  if (sections.has("workers")) {
    const ctx = {
      registry,
      backendPorts: lab.backends.map((b) => b.port),
      otlpEndpoint: lab.receiver.endpoint,
    };
    report.workers = await benchWorkers(ctx, registry, SMALL, profile.timing, progress);
  }
  if (sections.has("telemetry")) {
    report.telemetry = await measureTelemetryCost(
      lab.receiver.endpoint,
      profile.telemetryRequests,
      profile.telemetryRounds,
      progress,
    );
  }
  if (sections.has("failover")) {
    report.failover = [];
    for (const name of profile.failoverTargets) {
      const target = lab.targets.find((t) => t.name === name);
      if (target === undefined) continue;
      const victim = lab.backends[0]!;
      report.failover.push(
        await runFailover(
          target,
          lab.backends,
          (b) => lab.killBackend(b),
          profile.failoverDurationS,
          progress,
        ),
      );
      progress.update(`failover ${name}: restarting backend ${victim.port}`);
      await lab.reviveBackend(victim);
    }
  }
  return report;
}

const started = performance.now();
// The telemetry section exports spans to the lab's OTLP receiver, so it needs the lab too.
const needsLab = ["http", "workers", "idle", "failover", "telemetry"].some((s) => sections.has(s as Section));
// The bridge section runs the traceway binary from dist/ against an nginx sink, but no lab.
const needsTools = needsLab || sections.has("bridge");
// Before machineInfo(), so the report names the versions of tools installed just now.
const stillMissing = needsTools ? ensureTools(ROOT, (line) => progress.update(line)) : [];
const machine = machineInfo();
const report: {
  -readonly [K in keyof BenchReport]: BenchReport[K];
} = { machine, profile, durationS: 0, notes };
let exitCode = 0;
try {
  if (sections.has("strategies")) {
    progress.update("strategy micro-benchmark");
    report.strategies = await strategiesSection();
  }
  if (needsTools) {
    if (stillMissing.length > 0)
      throw new Error(
        `missing ${stillMissing.join(", ")} after scripts/bench-deps.sh (see its output above)`,
      );
    progress.update("building dist/ (traceway runs from its compiled output)");
    execFileSync(
      NODE,
      [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
      {
        cwd: ROOT,
        stdio: "inherit",
      },
    );
  }
  if (needsLab) {
    const lab = await startLab(
      registry,
      progress,
      { forceSink: options.sink, targets: options.targets },
      (r) => (receiver = r),
    );
    notes.push(`OTLP receiver for the traced targets: ${lab.receiver.description}.`);
    notes.push(
      `Backends: 3 nginx instances (1 worker each, sendfile, keep-alive) on ports ${lab.backends.map((b) => b.port).join(", ")}; every target balances round-robin over them with keep-alive.`,
    );
    Object.assign(report, await httpSections(lab));
    const stats = lab.receiver.stats();
    if (stats !== "") notes.push(`OTLP sink received ${stats}.`);
    progress.update("stopping backends and targets");
    await registry.stopAll();
    await lab.receiver.close();
    receiver = undefined;
  }
  if (sections.has("kafka"))
    report.kafka = await benchKafka(profile.kafkaMessages, profile.kafkaRounds, progress);
  if (sections.has("bridge"))
    report.bridge = await benchBridge(registry, profile.bridgeMessages, profile.bridgeRounds, progress);
} catch (error) {
  exitCode = 1;
  notes.push(`run aborted: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  progress.update("stopping everything");
  await cleanup();
}

report.durationS = (performance.now() - started) / 1000;
const markdown = renderReport(report);
mkdirSync(RESULTS_DIR, { recursive: true });
const suffix = profile.name === "quick" ? "-quick" : "";
const file = join(RESULTS_DIR, `${machine.date.slice(0, 10)}-${machine.shortCommit}${suffix}.md`);
writeFileSync(file, markdown);
progress.clear();
process.stdout.write(`${markdown}\nwritten to ${file}\n`);
process.exitCode = exitCode;
