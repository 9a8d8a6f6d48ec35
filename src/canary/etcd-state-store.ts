import { Etcd3 } from "etcd3";
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
  readonly #client: Etcd3;
  readonly #key: string;
  readonly #upstream: string;
  readonly #ownsClient: boolean;
  readonly description: string;

  /** `ownsClient`: close the client with the store (false when the caller shares it). */
  constructor(client: Etcd3, key: string, upstream: string, ownsClient: boolean) {
    this.#client = client;
    this.#key = key;
    this.#upstream = upstream;
    this.#ownsClient = ownsClient;
    this.description = `etcd ${key}`;
  }

  /** A store with its own client for `endpoints` (`http://host:port`). */
  static connect(endpoints: readonly string[], key: string, upstream: string): EtcdStateStore {
    return new EtcdStateStore(new Etcd3({ hosts: [...endpoints] }), key, upstream, true);
  }

  async load(): Promise<CanaryRecord | undefined> {
    const text = await withTimeout(this.#client.get(this.#key).string(), `get ${this.#key}`);
    return text === null ? undefined : asRecord(JSON.parse(text), this.#upstream, this.description);
  }

  async save(record: CanaryRecord): Promise<void> {
    await withTimeout(this.#client.put(this.#key).value(JSON.stringify(record)).exec(), `put ${this.#key}`);
  }

  close(): Promise<void> {
    if (this.#ownsClient) this.#client.close();
    return Promise.resolve();
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
