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

interface ComposeService {
  readonly image?: string;
  readonly command?: readonly string[];
  readonly volumes?: readonly string[];
  readonly depends_on?: readonly string[];
  readonly ports?: readonly string[];
}

describe("docker-compose.yml (no Docker engine here: parsed and checked, services run natively)", async () => {
  const compose = parse(await readFile(join(REPO_ROOT, "docker-compose.yml"), "utf8")) as {
    services: Record<string, ComposeService>;
  };
  const services = compose.services;

  it("has the whole stack, and every dependency is a service of the file", () => {
    for (const name of ["traceway", "demo-backends", "kafka", "etcd", "prometheus", "jaeger", "grafana"]) {
      assert.ok(services[name], `service ${name}`);
      assert.ok(services[name].image, `service ${name} has an image`);
    }
    for (const [name, service] of Object.entries(services)) {
      for (const dep of service.depends_on ?? [])
        assert.ok(services[dep], `${name} depends on unknown ${dep}`);
    }
  });

  it("mounts only files and folders that exist in the repository", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const host = volume.split(":")[0] ?? "";
        assert.ok(host.startsWith("./"), `${name}: ${volume} is a bind mount from the repository`);
        assert.ok(existsSync(join(REPO_ROOT, host)), `${name}: ${host} exists`);
      }
    }
  });

  it("gives Prometheus a config and rules that promtool accepts", async () => {
    const { stdout } = await run("promtool", [
      "check",
      "config",
      join(REPO_ROOT, "dashboards", "prometheus.yml"),
    ]);
    assert.match(stdout, /SUCCESS: 1 rule files found/);
  });

  it("runs the demo backends with a command the CLI knows", async () => {
    const command = services["demo-backends"]?.command ?? [];
    assert.deepEqual(command.slice(0, 3), ["node", "src/cli.ts", "demo-backends"]);
    const { stdout } = await run(
      join(REPO_ROOT, "node_modules", ".bin", "node"),
      [join(REPO_ROOT, "src", "cli.ts"), "demo-backends", "--help"],
      { cwd: REPO_ROOT },
    );
    assert.match(stdout, /--ports/);
  });
});
