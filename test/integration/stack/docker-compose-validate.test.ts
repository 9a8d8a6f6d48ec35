import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { REPO_ROOT } from "../../helpers/services.ts";

// No Docker engine here: docker-compose.yml is validated by Debian's docker-compose 1.29, which needs
// no daemon for `config` (it checks the file against its Compose schema, the anchors and merges, the
// references between services and the build contexts), and its rules are checked on the resolved model.
const run = promisify(execFile);
const COMPOSE = join(REPO_ROOT, "docker-compose.yml");

interface Service {
  readonly image?: string;
  readonly build?: string | { context: string; dockerfile?: string };
  readonly volumes?: readonly string[];
  readonly depends_on?: Record<string, { condition: string }>;
  readonly healthcheck?: { test?: unknown; disable?: boolean };
  readonly deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
}

/** The model after docker-compose resolved anchors and merges. */
async function resolved(file: string): Promise<{ services: Record<string, Service> }> {
  const { stdout } = await run("docker-compose", ["-f", file, "config"], { cwd: REPO_ROOT });
  return parse(stdout) as { services: Record<string, Service> };
}

const APPS = [
  "traceway",
  "gin-1",
  "gin-2",
  "gin-3",
  "kafka-worker-1",
  "kafka-worker-2",
  "alert-webhook",
  "load",
];

const DOCKER_HOST_PATHS = ["/var/lib/docker/containers", "/var/run/docker.sock"];

describe("docker-compose.yml, validated by docker-compose 1.29 without a daemon", () => {
  it("passes `docker-compose config -q`, which rejects a broken copy of it", async () => {
    await run("docker-compose", ["-f", COMPOSE, "config", "-q"], { cwd: REPO_ROOT });
    const broken = join(REPO_ROOT, `.compose-broken-${process.pid}.yml`);
    const text = (await readFile(COMPOSE, "utf8")).replace(
      "condition: service_healthy",
      "condition: healthy",
    );
    await writeFile(broken, text);
    try {
      await assert.rejects(
        run("docker-compose", ["-f", broken, "config", "-q"], { cwd: REPO_ROOT }),
        /invalid/,
      );
    } finally {
      await rm(broken, { force: true });
    }
  });

  it("pins every image to a version, never latest", async () => {
    const { services } = await resolved(COMPOSE);
    for (const [name, service] of Object.entries(services)) {
      assert.match(service.image ?? "", /^[\w./-]+:(v?\d[\w.-]*|dev)$/, `${name}: ${service.image}`);
      if (service.image?.endsWith(":dev")) assert.ok(service.build, `${name}: a :dev image is built here`);
    }
  });

  it("gives each application container the seed's limits: 2 CPUs, 4 GB", async () => {
    const { services } = await resolved(COMPOSE);
    for (const name of APPS) {
      const limits = services[name]?.deploy?.resources?.limits;
      assert.equal(Number(limits?.cpus), 2, `${name} cpus`);
      assert.match(String(limits?.memory), /^(4G|4g|4294967296)$/, `${name} memory`);
    }
  });

  it("waits for healthy dependencies, and only services with a health check are waited for so", async () => {
    const { services } = await resolved(COMPOSE);
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.ok(services[dep], `${name} depends on unknown ${dep}`);
        if (condition !== "service_healthy") {
          assert.equal(
            dep,
            "jaeger",
            `${name} → ${dep}: only Jaeger (no shell tools in its image) is waited for as started`,
          );
          continue;
        }
        const check = services[dep]?.healthcheck;
        const inImage = dep === "traceway" || dep.startsWith("gin-");
        assert.ok(
          inImage || (check?.test !== undefined && check.disable !== true),
          `${dep} has a health check`,
        );
      }
    }
  });

  it("mounts only files and folders of this repository that exist (and Docker's own, for Filebeat)", async () => {
    const { services } = parse(await readFile(COMPOSE, "utf8")) as { services: Record<string, Service> };
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const host = volume.split(":")[0] ?? "";
        // Filebeat reads what the Docker engine writes: the containers' logs and its socket, read-only.
        if (name === "filebeat" && DOCKER_HOST_PATHS.includes(host)) {
          assert.ok(volume.endsWith(":ro"), `${name}: ${volume} is read-only`);
          continue;
        }
        assert.ok(host.startsWith("./"), `${name}: ${volume}`);
        assert.ok(existsSync(join(REPO_ROOT, host)), `${name}: ${host} exists`);
      }
    }
  });
});
