import { setTimeout as delay } from "node:timers/promises";
import type { Etcd3 } from "etcd3";
import type { Logger } from "pino";
import type { Random } from "../shared/clock.ts";
import { Backoff } from "./backoff.ts";
import { ETCD_BACKOFF_BASE_MS, ETCD_BACKOFF_MAX_MS } from "./etcd-timing.ts";
import { KeptLease } from "./register-lease.ts";

/** What is registered: `value` under `key`, on a lease of `ttlSeconds`. */
export interface Registration {
  readonly key: string;
  readonly value: string;
  readonly ttlSeconds: number;
}

/**
 * Keeps one registration in etcd while it is wanted, as registrator or a Consul agent does for a
 * service without an etcd client: grant a lease, put the key on it, renew the lease. When the
 * registration stops being wanted (health failed) the lease is revoked, which deletes the key at
 * once; when it is wanted again it is registered anew. A lost lease (etcd unreachable for longer
 * than the TTL) is re-granted, with backoff while etcd does not answer.
 */
export class RegisterAgent {
  readonly #client: Etcd3;
  readonly #registration: Registration;
  readonly #logger: Logger;
  readonly #backoff: Backoff;
  readonly #abort = new AbortController();
  #wanted: boolean;
  #lease: KeptLease | undefined;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(
    client: Etcd3,
    registration: Registration,
    deps: { logger: Logger; random?: Random; wanted: boolean },
  ) {
    this.#client = client;
    this.#registration = registration;
    this.#logger = deps.logger;
    this.#wanted = deps.wanted;
    this.#backoff = new Backoff(
      { baseMs: ETCD_BACKOFF_BASE_MS, maxMs: ETCD_BACKOFF_MAX_MS },
      deps.random ?? Math.random,
    );
  }

  /** Whether the key is in etcd as far as this agent knows. */
  get registered(): boolean {
    return this.#lease !== undefined;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Register (`true`) or deregister (`false`) as soon as possible. */
  want(wanted: boolean): void {
    this.#wanted = wanted;
    this.#wake?.();
  }

  /**
   * Deletes the key and revokes the lease, then stops. Resolves `true` when etcd confirmed it;
   * `false` when it could not be reached (the key then vanishes when its TTL runs out).
   */
  async stop(): Promise<boolean> {
    this.#abort.abort();
    this.#wake?.();
    await this.#loop;
    const lease = this.#lease;
    this.#lease = undefined;
    if (lease === undefined) return true;
    lease.stop();
    try {
      // The key first, explicitly: it must be gone even if the revoke is lost on the way.
      await this.#client.delete().key(this.#registration.key);
      await lease.revoke();
      this.#logger.info({ key: this.#registration.key }, "deregistered: key deleted and lease revoked");
      return true;
    } catch (error) {
      this.#logger.error(
        { key: this.#registration.key, err: error, ttlSeconds: this.#registration.ttlSeconds },
        "could not deregister; the key expires with its lease",
      );
      return false;
    }
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const woken = new Promise<void>((resolve) => (this.#wake = resolve));
      try {
        if (this.#wanted && this.#lease === undefined) await this.#register();
        else if (!this.#wanted && this.#lease !== undefined) await this.#deregister();
      } catch (error) {
        const retryInMs = this.#backoff.next();
        this.#logger.warn(
          { key: this.#registration.key, err: error, retryInMs },
          "etcd: registration failed, retrying",
        );
        await delay(retryInMs, undefined, { signal }).catch(() => undefined);
        continue;
      }
      await woken;
    }
  }

  async #register(): Promise<void> {
    const { key, value, ttlSeconds } = this.#registration;
    const lease = await KeptLease.grant(this.#client, ttlSeconds, (reason) => this.#lost(lease, reason));
    try {
      await this.#client.put(key).value(value).lease(lease.id).exec();
    } catch (error) {
      lease.stop();
      throw error;
    }
    this.#lease = lease;
    this.#backoff.reset();
    this.#logger.info({ key, lease: lease.id, ttlSeconds }, "registered");
  }

  async #deregister(): Promise<void> {
    const lease = this.#lease;
    this.#lease = undefined;
    // Revoking deletes the key; should etcd be away, the key still expires with the lease.
    await lease?.revoke().catch((error: unknown) => {
      this.#logger.warn(
        { key: this.#registration.key, err: error },
        "lease revoke failed; the key expires with its TTL",
      );
    });
    this.#logger.info({ key: this.#registration.key }, "deregistered: health check failing");
  }

  #lost(lease: KeptLease, reason: string): void {
    if (this.#lease !== lease) return;
    this.#lease = undefined;
    this.#logger.warn(
      { key: this.#registration.key, lease: lease.id, reason },
      "lease lost; registering again",
    );
    this.#wake?.();
  }
}
