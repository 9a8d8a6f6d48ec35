import { Command } from "commander";
import { checkConfigCommand } from "./config/check-config.ts";
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

await program.parseAsync(process.argv);
