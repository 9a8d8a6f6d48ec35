import { readFile } from "node:fs/promises";
import { rootCertificates } from "node:tls";
import { handleWhen, noop, retry } from "cockatiel";
import { Etcd3, isRecoverableError, type IOptions } from "etcd3";
import type { EtcdTlsConfig } from "../config/types.ts";
import {
  ETCD_BACKOFF_BASE_MS,
  ETCD_BACKOFF_MAX_MS,
  ETCD_KEEPALIVE_TIME_MS,
  ETCD_KEEPALIVE_TIMEOUT_MS,
  ETCD_MAX_RESPONSE_BYTES,
  ETCD_REQUEST_TIMEOUT_MS,
} from "./etcd-timing.ts";

/** What an etcd client needs: the member URLs and how to prove who we are. */
export interface EtcdClientOptions {
  /** `http(s)://host:port`, all with the same scheme. */
  readonly endpoints: readonly string[];
  readonly auth?: { readonly username: string; readonly password: string } | undefined;
  readonly tls?: EtcdTlsFiles | undefined;
  readonly dialTimeoutMs: number;
}

/** TLS material, read from the files `tls.ca/cert/key` name. */
export interface EtcdTlsFiles {
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
}

/**
 * An `etcd3` client set up for long-lived watching:
 * - gRPC keepalive, so a connection that silently stops carrying bytes is dropped within 11 s
 *   (etcd3 sets none, and a watch on such a connection waits forever);
 * - no circuit breaker and no blind retries on one member: the caller's backoff decides when to try
 *   again, and a failed call moves on to the next member only when there is one;
 * - a deadline on every unary call (etcd3 documents `dialTimeout` but never reads it);
 * - gRPC's own reconnect backoff capped at ours, or a restarted etcd could wait 120 s to be redialled.
 */
export function createEtcdClient(options: EtcdClientOptions): Etcd3 {
  const others = options.endpoints.length - 1;
  const callTimeoutMs = options.dialTimeoutMs + ETCD_REQUEST_TIMEOUT_MS;
  const etcdOptions: IOptions = {
    hosts: [...options.endpoints],
    grpcOptions: {
      "grpc.keepalive_time_ms": ETCD_KEEPALIVE_TIME_MS,
      "grpc.keepalive_timeout_ms": ETCD_KEEPALIVE_TIMEOUT_MS,
      "grpc.initial_reconnect_backoff_ms": ETCD_BACKOFF_BASE_MS,
      "grpc.max_reconnect_backoff_ms": ETCD_BACKOFF_MAX_MS,
      "grpc.max_receive_message_length": ETCD_MAX_RESPONSE_BYTES,
    },
    faultHandling: {
      host: () => noop,
      global: others > 0 ? retry(handleWhen(isRecoverableError), { maxAttempts: others }) : noop,
    },
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
  };
  if (options.auth) etcdOptions.auth = { ...options.auth };
  const tls = options.tls;
  if (tls && (tls.ca || tls.cert)) {
    etcdOptions.credentials = {
      // Without a CA of its own, a client certificate is still checked against the usual roots.
      rootCertificate: tls.ca ?? Buffer.from(rootCertificates.join("\n")),
      ...(tls.key ? { privateKey: tls.key } : {}),
      ...(tls.cert ? { certChain: tls.cert } : {}),
    };
  }
  return new Etcd3(etcdOptions);
}

/**
 * Reads the PEM files of `tls`; a file that cannot be read fails naming where it was set
 * (`upstreams.api.discovery.etcd.tls.ca: cannot read /etc/etcd/ca.pem: ENOENT`).
 */
export async function readTlsFiles(
  tls: EtcdTlsConfig,
  nameOf: (field: keyof EtcdTlsConfig) => string,
): Promise<EtcdTlsFiles> {
  const read = async (name: keyof EtcdTlsConfig): Promise<Buffer | undefined> => {
    const file = tls[name];
    if (file === undefined) return undefined;
    try {
      return await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new Error(`${nameOf(name)}: cannot read ${file}: ${code}`, { cause: error });
    }
  };
  const [ca, cert, key] = await Promise.all([read("ca"), read("cert"), read("key")]);
  return { ca, cert, key };
}
