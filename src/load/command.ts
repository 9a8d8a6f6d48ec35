/**
 * Registers `traceway load` on the CLI. Commander's own errors (unknown option, missing argument)
 * and every bad value become one line `traceway load: <problem>` and exit 2, the code CI scripts
 * tell apart from a broken threshold (1).
 */
import { Command, Option } from "commander";
import { DEFAULTS, parseLoadOptions, type RawLoadOptions } from "./options.ts";
import { EXIT_BAD_INPUT, LoadInputError } from "./input-error.ts";
import { runLoad } from "./run-load.ts";

/** Repeatable options; no commander default, so help does not print "(default: [])". */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerLoadCommand(program: Command): void {
  const command = new Command("load")
    .description(
      "Step-load a URL and find its knee: throughput and latency per step, thresholds, an HTML/JSON report",
    )
    .argument("<url>", "http(s) URL to load")
    .addOption(
      new Option(
        "--mode <mode>",
        "connections (closed model) or rate (open model; implied by --rates)",
      ).choices(["connections", "rate"]),
    )
    .option("--steps <list>", `connection counts, one step each (default ${DEFAULTS.steps})`)
    .option("--rates <list>", "requests per second, one step each (open model)")
    .option("--step-duration <duration>", "how long each step runs", DEFAULTS.stepDuration)
    .option(
      "--warmup <duration>",
      "load at the first step's level before measuring; 0 to skip",
      DEFAULTS.warmup,
    )
    .option("--connections <n>", `open model: most connections to open (default ${DEFAULTS.connections})`)
    .option("--workers <n>", "worker threads generating load (default: one per core, fewer for small loads)")
    .option("--method <method>", "HTTP method", DEFAULTS.method)
    .option("--header <name: value>", "request header (repeatable)", collect)
    .option("--body <text|@file>", "request body, or @path to send a file")
    .option(
      "--timeout <duration>",
      "per-request timeout; a timed-out request counts as an error",
      DEFAULTS.timeout,
    )
    .option(
      "--expect-status <list>",
      "statuses that count as success, e.g. 200-299,404 or 2xx",
      DEFAULTS.expectStatus,
    )
    .option(
      "--threshold <expr>",
      "k6-style pass/fail rule checked at every step, e.g. p99<2s, errors<0.5% (repeatable)",
      collect,
    )
    .option("--abort-on-fail", "stop after the first step that breaks a threshold")
    .option(
      "--prometheus <url>",
      "Prometheus that scrapes traceway: adds traceway's per-backend view of each step",
    )
    .option("--prometheus-match <matchers>", 'label matchers selecting one traceway, e.g. job="traceway"')
    .option("--report <file.html>", "write a self-contained HTML report")
    .option("--json <file>", "write the full results as JSON")
    .option("--insecure", "https: do not verify the server's certificate")
    .option(
      "--progress-interval <duration>",
      "progress line interval when stderr is not a terminal (default 5s)",
    )
    // Help and version exit 0; every commander error (unknown option, missing <url>) is bad input.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_BAD_INPUT))
    .configureOutput({
      // One line: commander's "error: ..." plus its "(Did you mean ...?)" hint, without the prefix.
      outputError: (text, write) =>
        write(
          `traceway load: ${text
            .replace(/^error: /, "")
            .replace(/\s*\n\s*/g, " ")
            .trim()}\n`,
        ),
    })
    .action(async (url: string, options: RawLoadOptions) => {
      try {
        const plan = parseLoadOptions(url, options);
        const { code } = await runLoad(plan, {
          stdout: process.stdout,
          stderr: process.stderr,
          signals: process,
        });
        process.exitCode = code;
      } catch (error) {
        if (!(error instanceof LoadInputError)) throw error;
        process.stderr.write(`traceway load: ${error.message}\n`);
        process.exitCode = EXIT_BAD_INPUT;
      }
    });
  program.addCommand(command);
}
