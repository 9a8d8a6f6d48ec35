import { Command } from "commander";
import { checkConfigCommand } from "./config/check-config.ts";
import { startDemoBackend } from "./demo/demo-backends.ts";
import { registerCommand } from "./discovery/register-command.ts";
import * as R from "./discovery/register-options.ts";
import { createLogger } from "./telemetry/logger.ts";
import { runDemo } from "./demo/run-demo.ts";
import { registerLoadCommand } from "./load/command.ts";
import { packageVersion } from "./run/package-version.ts";
import { serveConfigFile } from "./run/serve-config-file.ts";

const program = new Command();
program
  .name("traceway")
  .description("Observability-first load balancer. Without --config it runs the embedded demo.")
  .version(packageVersion(), "-V, --version", "print the version and exit")
  .option("-c, --config <file>", "YAML or JSON configuration file")
  .action(async (opts: { config?: string }) => {
    if (opts.config) await serveConfigFile(opts.config);
    else await runDemo();
  });

program
  .command("check-config")
  .description("Validate a configuration file; prints every problem with its key path, exits 1 if any")
  .argument("<file>", "YAML or JSON configuration file")
  .action(async (file: string) => {
    process.exitCode = await checkConfigCommand(file, process.stdout);
  });

program
  .command("demo-backends")
  .description("Run only the demo backends (for the docker-compose stack or your own experiments)")
  .option("--listen <host>", "address to bind", "127.0.0.1")
  .option("--ports <list>", "comma-separated ports", "8001,8002,8003")
  .action(async (opts: { listen: string; ports: string }) => {
    const tokens = opts.ports.split(",").map((p) => p.trim());
    const bad = tokens.find((t) => !/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 65535);
    if (bad !== undefined) program.error(`--ports: invalid port "${bad}" in "${opts.ports}"`);
    const ports = tokens.map(Number);
    const backends = await Promise.all(
      ports.map((port, i) => startDemoBackend(`demo-${i + 1}`, opts.listen, port)),
    );
    for (const b of backends) process.stdout.write(`demo backend ${b.name} on ${b.url}\n`);
  });

program
  .command("register")
  .description(
    "Register a service in etcd on a TTL lease and keep it there while its health check passes; " +
      "delete it on SIGTERM/SIGINT (what registrator or a Consul agent does)",
  )
  .option("--etcd <urls>", "etcd members, comma-separated: http://127.0.0.1:2379[,...]")
  .option("--prefix <prefix>", "key prefix the balancer watches, ending in /: /services/api/")
  .option("--url <url>", "the service's origin: http://host:port")
  .option("--id <id>", "key under the prefix (default: host:port of --url)")
  .option("--ttl <duration>", "lease TTL, whole seconds", R.REGISTER_DEFAULT_TTL)
  .option("--health <url>", "register only while GET <url> answers 2xx/3xx")
  .option("--health-interval <duration>", "time between health probes", R.REGISTER_DEFAULT_HEALTH_INTERVAL)
  .option("--health-timeout <duration>", "a probe slower than this fails", R.REGISTER_DEFAULT_HEALTH_TIMEOUT)
  .option(
    "--unhealthy-threshold <n>",
    "failures in a row that remove the key",
    R.REGISTER_DEFAULT_UNHEALTHY_THRESHOLD,
  )
  .option(
    "--healthy-threshold <n>",
    "passes in a row that register it again",
    R.REGISTER_DEFAULT_HEALTHY_THRESHOLD,
  )
  .option("--weight <n>", "relative share of traffic, 1..1000", "1")
  .option("--backup", "only used when no primary backend is healthy")
  .option(
    "--metadata <key=value>",
    "metadata stored with the registration (repeatable)",
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .option("--format <format>", "value format: traceway or etcd-endpoints (etcd's naming JSON)", "traceway")
  .option("--user <name:password>", "etcd user and password")
  .option("--cacert <file>", "PEM CA bundle of the etcd server certificates")
  .option("--cert <file>", "PEM client certificate")
  .option("--key <file>", "PEM client key")
  .option(
    "--dial-timeout <duration>",
    "how long one etcd connection attempt may take",
    R.REGISTER_DEFAULT_DIAL_TIMEOUT,
  )
  // Bad flags exit 2 (as usage errors do for curl, etcdctl, grep), after commander's one-line message.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(async (flags: R.RegisterFlags) => {
    const logger = createLogger("traceway-register", { level: "info", accessLog: false, format: "json" });
    process.exitCode = await registerCommand(flags, { stderr: process.stderr, logger });
  });

registerLoadCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Start-up failures users can act on get one clear line instead of a stack trace.
  const err = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (err.syscall === "listen") {
    process.stderr.write(
      `traceway: cannot listen on ${err.address ?? ""}:${err.port ?? ""}: ${err.code ?? err.message}\n`,
    );
    process.exit(1);
  }
  throw error;
}
