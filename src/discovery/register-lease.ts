import type { Etcd3, IDuplexStream, ILeaseKeepAliveRequest, ILeaseKeepAliveResponse } from "etcd3";

type KeepAliveStream = IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>;

/** etcd's Go client renews at a third of the TTL: two renewals may fail before the key goes. */
const RENEWALS_PER_TTL = 3;

/**
 * One granted etcd lease, renewed on a keepalive stream every TTL/3 until {@link stop} or
 * {@link revoke}. `onLost` fires once when the lease is gone for sure: etcd answered TTL 0 (it
 * expired or was revoked elsewhere), or no renewal succeeded within the TTL. A broken stream is
 * reopened at the next renewal, so an etcd outage costs one attempt per TTL/3, not a tight loop
 * (etcd3's own `Lease` retries every 100 ms).
 */
export class KeptLease {
  readonly id: string;
  readonly #client: Etcd3;
  readonly #ttlMs: number;
  readonly #onLost: (reason: string) => void;
  #stream: KeepAliveStream | undefined;
  #expiresAt: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  private constructor(client: Etcd3, id: string, ttlSeconds: number, onLost: (reason: string) => void) {
    this.#client = client;
    this.id = id;
    this.#ttlMs = ttlSeconds * 1000;
    this.#onLost = onLost;
    this.#expiresAt = performance.now() + this.#ttlMs;
  }

  /** Grants a lease of `ttlSeconds` and starts renewing it. */
  static async grant(
    client: Etcd3,
    ttlSeconds: number,
    onLost: (reason: string) => void,
  ): Promise<KeptLease> {
    const granted = await client.leaseClient.leaseGrant({ TTL: ttlSeconds });
    const lease = new KeptLease(client, granted.ID, Number(granted.TTL) || ttlSeconds, onLost);
    lease.#schedule(0);
    return lease;
  }

  /** Stops renewing; the lease (and its key) expires after its TTL. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#closeStream();
  }

  /** Stops renewing and revokes the lease, which deletes every key attached to it at once. */
  async revoke(): Promise<void> {
    this.stop();
    await this.#client.leaseClient.leaseRevoke({ ID: this.id });
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => this.#renew(), delayMs);
  }

  #renew(): void {
    if (this.#stopped) return;
    if (performance.now() >= this.#expiresAt) {
      this.#lose(`no renewal succeeded within the ${this.#ttlMs / 1000} s TTL`);
      return;
    }
    this.#schedule(this.#ttlMs / RENEWALS_PER_TTL);
    if (this.#stream) {
      this.#stream.write({ ID: this.id });
      return;
    }
    this.#client.leaseClient.leaseKeepAlive().then(
      (stream) => {
        if (this.#stopped) {
          stream.end();
          return;
        }
        this.#stream = stream;
        stream.on("data", (response) => this.#renewed(response));
        // A failed stream is dropped; the next renewal opens a new one.
        stream.on("error", () => this.#dropStream(stream));
        stream.on("end", () => this.#dropStream(stream));
        stream.write({ ID: this.id });
      },
      () => undefined,
    );
  }

  #renewed(response: ILeaseKeepAliveResponse): void {
    if (this.#stopped) return;
    const ttlSeconds = Number(response.TTL);
    if (!(ttlSeconds > 0)) {
      this.#lose("etcd says the lease has expired or was revoked");
      return;
    }
    this.#expiresAt = performance.now() + ttlSeconds * 1000;
  }

  #lose(reason: string): void {
    this.stop();
    this.#onLost(reason);
  }

  #dropStream(stream: KeepAliveStream): void {
    if (this.#stream === stream) this.#stream = undefined;
  }

  #closeStream(): void {
    const stream = this.#stream;
    this.#stream = undefined;
    try {
      stream?.end();
      stream?.cancel();
    } catch {
      // Already closed.
    }
  }
}
