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
    const ports = opts.ports.split(",").map((p) => Number(p.trim()));
    const bad = ports.find((p) => !Number.isInteger(p) || p < 1 || p > 65535);
    if (bad !== undefined) program.error(`--ports: invalid port "${String(bad)}" in "${opts.ports}"`);
    const backends = await Promise.all(
      ports.map((port, i) => startDemoBackend(`demo-${i + 1}`, opts.listen, port)),
    );
    for (const b of backends) process.stdout.write(`demo backend ${b.name} on ${b.url}\n`);
  });

await program.parseAsync(process.argv);
