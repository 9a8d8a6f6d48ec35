import type { CanaryConfig, UpstreamConfig } from "../config/types.ts";
import { TracewayError } from "../errors.ts";
import type { Upstream } from "../upstream/upstream.ts";
import { CanaryController, type CanaryControllerDeps } from "./canary-controller.ts";
import { EtcdStateStore } from "./etcd-state-store.ts";
import { FileStateStore, type CanaryStateStore } from "./state-store.ts";

export interface CanaryManagerDeps extends Omit<CanaryControllerDeps, "side" | "store"> {
  /** The upstream views new requests use now. */
  readonly upstreams: () => ReadonlyMap<string, Upstream>;
  /** Where an upstream's canary keeps its record; default {@link defaultStateStore}. */
  readonly storeFor?: (upstream: UpstreamConfig) => CanaryStateStore | undefined;
}

/**
 * One controller per upstream with a canary, kept across reloads: a reload with the same canary
 * set reconfigures the running controller (it keeps its step), a new set starts a new run, and an
 * upstream whose canary is gone has its controller stopped.
 */
export class CanaryManager {
  readonly #controllers = new Map<string, CanaryController>();
  readonly #deps: CanaryManagerDeps;

  constructor(deps: CanaryManagerDeps) {
    this.#deps = deps;
  }

  /** Applies a config's canaries; new controllers start (and load their state) in the background. */
  apply(configs: ReadonlyMap<string, UpstreamConfig>): void {
    for (const [name, controller] of this.#controllers) {
      const canary = configs.get(name)?.canary;
      if (canary === undefined || runKeyOf(canary) !== controller.runKey) {
        this.#controllers.delete(name);
        void controller.stop();
      }
    }
    for (const [name, config] of configs) {
      if (config.canary === undefined) continue;
      const running = this.#controllers.get(name);
      if (running) {
        running.reconfigure(config.canary);
        continue;
      }
      const controller = new CanaryController(name, runKeyOf(config.canary), config.canary, {
        ...this.#deps,
        side: () => this.#deps.upstreams().get(name)?.canary,
        store: (this.#deps.storeFor ?? defaultStateStore)(config),
      });
      this.#controllers.set(name, controller);
      controller.start().catch((error: unknown) => {
        this.#deps.events.onStoreError({ upstream: name, store: "start", error });
      });
    }
  }

  /** The controller of `upstream`'s canary, or `NO_CANARY`. */
  get(upstream: string): CanaryController {
    const controller = this.#controllers.get(upstream);
    if (controller) return controller;
    throw new TracewayError("NO_CANARY", `upstream ${JSON.stringify(upstream)} has no canary`);
  }

  has(upstream: string): boolean {
    return this.#controllers.has(upstream);
  }

  async stop(): Promise<void> {
    const stopping = [...this.#controllers.values()].map((c) => c.stop());
    this.#controllers.clear();
    await Promise.all(stopping);
  }
}

/** Identifies a canary set: a reload that keeps it continues the run, one that changes it starts anew. */
export function runKeyOf(canary: CanaryConfig): string {
  const backends = canary.backends.map((b) => b.url).sort();
  const select = canary.select ? Object.entries(canary.select.metadata).sort() : null;
  return JSON.stringify({ backends, select });
}

/**
 * `canary.stateFile` when set; otherwise etcd when the upstream's backends come from etcd
 * discovery (the same etcd, under `traceway/canary/<upstream>`); otherwise none (memory only).
 */
export function defaultStateStore(upstream: UpstreamConfig): CanaryStateStore | undefined {
  const stateFile = upstream.canary?.stateFile;
  if (stateFile !== undefined) return new FileStateStore(stateFile, upstream.name);
  const etcd = upstream.discovery?.etcd;
  if (etcd) return EtcdStateStore.forDiscovery(etcd, upstream.name);
  return undefined;
}
