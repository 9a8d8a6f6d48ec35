import { readFileSync } from "node:fs";
import { Kafka, logLevel } from "kafkajs";
import type { KafkaConfig as KafkajsConfig, LogEntry, SASLOptions } from "kafkajs";
import type { Logger } from "pino";
import type { KafkaConfig, KafkaSslConfig } from "../config/kafka-types.ts";

/**
 * The kafkajs client for the `kafka` section: brokers, client id, SASL and TLS as configured, and
 * kafkajs' log lines in traceway's JSON log (its INFO chatter, such as a line per pause, at debug).
 * @throws Error naming the `kafka.ssl` key whose file cannot be read.
 */
export function createKafkaClient(config: KafkaConfig, logger: Logger): Kafka {
  const log = logger.child({ component: "kafkajs" });
  const options: KafkajsConfig = {
    brokers: [...config.brokers],
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeoutMs,
    logLevel: logger.isLevelEnabled("debug") ? logLevel.INFO : logLevel.WARN,
    logCreator: () => (entry: LogEntry) => write(log, entry),
  };
  if (config.ssl !== undefined) options.ssl = tlsOptions(config.ssl);
  if (config.sasl !== undefined) options.sasl = config.sasl as SASLOptions;
  return new Kafka(options);
}

function write(log: Logger, entry: LogEntry): void {
  const { message, timestamp: _timestamp, ...fields } = entry.log;
  const line = { namespace: entry.namespace, ...fields };
  switch (entry.level) {
    case logLevel.ERROR:
      log.error(line, message);
      return;
    case logLevel.WARN:
      log.warn(line, message);
      return;
    default:
      log.debug(line, message);
  }
}

function tlsOptions(ssl: KafkaSslConfig): NonNullable<KafkajsConfig["ssl"]> {
  const read = (key: string, file: string | undefined): string | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, "utf8");
    } catch (error) {
      throw new Error(`kafka.ssl.${key}: cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
  };
  const ca = read("caFile", ssl.caFile);
  const cert = read("certFile", ssl.certFile);
  const key = read("keyFile", ssl.keyFile);
  return {
    rejectUnauthorized: ssl.rejectUnauthorized,
    ...(ca === undefined ? {} : { ca: [ca] }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(ssl.servername === undefined ? {} : { servername: ssl.servername }),
  };
}
