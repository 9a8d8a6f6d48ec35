import type { Logger } from "pino";
import { createEtcdClient, readTlsFiles } from "./etcd-client.ts";
import { RegisterAgent } from "./register-agent.ts";
import { HealthWatch } from "./register-health.ts";
import { parseRegisterFlags, type RegisterFlags } from "./register-options.ts";

/** Exit codes: 0 deregistered cleanly, 1 could not deregister, 2 bad flags. */
export const EXIT_BAD_FLAGS = 2;

/**
 * `traceway register`: registers a service that has no etcd client, keeps the registration alive
 * and true to the service's health, and deletes it on SIGTERM or SIGINT before exiting.
 * Resolves with the exit code once a signal has been handled.
 */
export async function registerCommand(
  flags: RegisterFlags,
  io: { stderr: { write(text: string): unknown }; logger: Logger },
): Promise<number> {
  const parsed = parseRegisterFlags(flags);
  if (!parsed.ok) {
    io.stderr.write(`traceway register: ${parsed.message}\n`);
    return EXIT_BAD_FLAGS;
  }
  const options = parsed.value;
  let tls;
  try {
    tls =
      options.tls === undefined
        ? undefined
        : await readTlsFiles({ ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key }, (field) =>
            field === "ca" ? "--cacert" : `--${field}`,
          );
  } catch (error) {
    io.stderr.write(`traceway register: ${(error as Error).message}\n`);
    return EXIT_BAD_FLAGS;
  }
  const { logger } = io;
  const client = createEtcdClient({
    endpoints: options.endpoints,
    auth: options.auth,
    tls,
    dialTimeoutMs: options.dialTimeoutMs,
  });
  const agent = new RegisterAgent(
    client,
    { key: options.key, value: options.value, ttlSeconds: options.ttlSeconds },
    { logger, wanted: options.health === undefined },
  );
  const health =
    options.health === undefined
      ? undefined
      : new HealthWatch(options.health, (up, outcome) => {
          const fields = { key: options.key, health: options.health?.url.href, result: outcome.detail };
          if (up) logger.info(fields, "health check passing");
          else logger.warn(fields, "health check failing");
          agent.want(up);
        });
  logger.info(
    {
      key: options.key,
      url: options.url,
      ttlSeconds: options.ttlSeconds,
      etcd: options.endpoints,
      health: options.health?.url.href,
    },
    options.health === undefined ? "registering" : "registering once the health check passes",
  );
  agent.start();
  health?.start();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  logger.info({ signal, key: options.key }, "deregistering before exit");
  health?.stop();
  const clean = await agent.stop();
  client.close();
  return clean ? 0 : 1;
}
