import { Command } from "commander";
import { checkConfigCommand } from "./config/check-config.ts";
import { startDemoBackend } from "./demo/demo-backends.ts";
import { runDemo } from "./demo/run-demo.ts";
import { serveConfigFile } from "./run/serve-config-file.ts";

const program = new Command();
program
  .name("traceway")
  .description("Observability-first load balancer. Without --config it runs the embedded demo.")
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
