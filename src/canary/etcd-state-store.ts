import type { Etcd3 } from "etcd3";
import type { EtcdDiscoveryConfig } from "../config/types.ts";
import { createEtcdClient, readTlsFiles } from "../discovery/etcd-client.ts";
import { asRecord, type CanaryRecord, type CanaryStateStore } from "./state-store.ts";

/** A call to etcd that takes longer fails: a canary must not wait on an unreachable store. */
const ETCD_CALL_TIMEOUT_MS = 5000;

/** Where canary records go in etcd unless told otherwise: beside, never under, a discovery prefix. */
export function defaultCanaryKey(upstream: string): string {
  return `traceway/canary/${upstream}`;
}

/**
 * The canary's record as one JSON value under an etcd key: what an upstream fed by etcd
 * discovery uses, so every balancer instance sharing that etcd sees the same canary progress.
 */
export class EtcdStateStore implements CanaryStateStore {
  readonly #client: () => Promise<Etcd3>;
  readonly #key: string;
  readonly #upstream: string;
  readonly #ownsClient: boolean;
  #connected: Etcd3 | undefined;
  readonly description: string;

  /** `ownsClient`: close the client with the store (false when the caller shares it). */
  constructor(client: Etcd3 | (() => Promise<Etcd3>), key: string, upstream: string, ownsClient: boolean) {
    this.#client = typeof client === "function" ? client : () => Promise.resolve(client);
    this.#key = key;
    this.#upstream = upstream;
    this.#ownsClient = ownsClient;
    this.description = `etcd ${key}`;
  }

  /**
   * A store on the etcd an upstream's discovery uses: the same members, credentials and TLS files,
   * through the same client set-up (deadlines, keepalive), connected on first use.
   */
  static forDiscovery(etcd: EtcdDiscoveryConfig, upstream: string): EtcdStateStore {
    const keyPath = `upstreams.${upstream}.discovery.etcd`;
    const connect = async (): Promise<Etcd3> =>
      createEtcdClient({
        endpoints: etcd.endpoints,
        auth: etcd.auth,
        tls:
          etcd.tls === undefined
            ? undefined
            : await readTlsFiles(etcd.tls, (field) => `${keyPath}.tls.${field}`),
        dialTimeoutMs: etcd.dialTimeoutMs,
      });
    return new EtcdStateStore(connect, defaultCanaryKey(upstream), upstream, true);
  }

  async load(): Promise<CanaryRecord | undefined> {
    const client = await this.#connect();
    const text = await withTimeout(client.get(this.#key).string(), `get ${this.#key}`);
    return text === null ? undefined : asRecord(JSON.parse(text), this.#upstream, this.description);
  }

  async save(record: CanaryRecord): Promise<void> {
    const client = await this.#connect();
    await withTimeout(client.put(this.#key).value(JSON.stringify(record)).exec(), `put ${this.#key}`);
  }

  close(): Promise<void> {
    if (this.#ownsClient) this.#connected?.close();
    return Promise.resolve();
  }

  async #connect(): Promise<Etcd3> {
    this.#connected ??= await this.#client();
    return this.#connected;
  }
}

async function withTimeout<T>(call: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`etcd ${what}: no answer within ${ETCD_CALL_TIMEOUT_MS}ms`)),
      ETCD_CALL_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
