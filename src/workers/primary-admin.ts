import type { Logger } from "pino";
import type { AdminChange } from "../admin/admin-app.ts";
import { startAdmin, type RunningAdmin } from "../admin/admin-server.ts";
import { CanaryManager } from "../canary/canary-manager.ts";
import type { AdminConfig } from "../config/types.ts";
import { systemScheduler } from "../health/scheduler.ts";
import { LatencySummary } from "../pool/latency-summary.ts";
import { loggingCanaryEvents } from "../server/balancer-events.ts";
import type { BackendLoadView, BalancerControl } from "../server/balancer.ts";
import { systemClock } from "../shared/clock.ts";
import { executeCommand, type ControlCommand } from "../upstream/control-commands.ts";
import type { ControlPlane } from "./control-plane.ts";
import type { SummaryData, UpstreamLoads } from "./protocol.ts";

/** How long a read waits for the workers' traffic; one that does not answer is left out. */
const LOAD_TIMEOUT_MS = 1000;
/** The event stream's snapshots go out each second: the workers' traffic is gathered as often. */
const LOAD_REFRESH_MS = 1000;

export interface PrimaryAdminDeps {
  readonly plane: ControlPlane;
  /** Every running worker's traffic per backend. */
  readonly loads: (timeoutMs: number) => Promise<UpstreamLoads[]>;
  readonly logger: Logger;
  /** Counts each change (telemetry). */
  readonly onChange: (change: AdminChange) => void;
  /** Resolves once every worker has the pools' state as it is now (a change answers after it). */
  readonly syncWorkers: () => Promise<void>;
}

/**
 * The admin API of a multi-worker instance, served once, by the primary. The pool state it shows
 * and changes (health, ejections, members, operator overrides) is the primary's, which every
 * worker follows: a weight, drain or enable goes out to every worker as pool state, as a verdict
 * does, and the change is answered once every worker has it. Traffic (in flight, requests, errors, latency) is each worker's own and is read from them
 * before each request and each second, added up backend by backend.
 */
export class PrimaryAdmin {
  readonly control: BalancerControl;
  readonly #deps: PrimaryAdminDeps;
  #admin: RunningAdmin | undefined;
  #chain: Promise<void> = Promise.resolve();
  #loads = new Map<string, Map<string, BackendLoadView>>();
  #gathering: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: PrimaryAdminDeps) {
    this.#deps = deps;
    const { plane } = deps;
    const execute = (command: ControlCommand): void => executeCommand(plane.upstreams, command);
    this.control = {
      upstreams: () => plane.upstreams,
      execute,
      // Canaries are refused with workers (docs/workers.md): a manager with none.
      canaries: new CanaryManager({
        clock: systemClock,
        now: Date.now,
        scheduler: systemScheduler,
        events: loggingCanaryEvents(deps.logger),
        execute,
        upstreams: () => plane.upstreams,
      }),
      feed: plane.feed,
      discoveryOf: (upstream) => plane.providerName(upstream) ?? "static",
      clock: systemClock,
      now: Date.now,
      loadOf: (upstream, backendId) =>
        this.#loads.get(upstream)?.get(backendId) ?? {
          inFlight: 0,
          recent: new LatencySummary(),
          lastMinute: new LatencySummary(),
        },
    };
  }

  /** The admin listener for `config` (the file's `admin`, at start and on each reload), in order. */
  apply(config: AdminConfig | undefined): Promise<void> {
    this.#chain = this.#chain.then(async () => {
      try {
        await this.#apply(config);
      } catch (err) {
        if (this.#admin === undefined) throw err;
        this.#deps.logger.error(
          { err },
          "admin API could not take the new configuration; keeping the old one",
        );
      }
    });
    return this.#chain;
  }

  async close(): Promise<void> {
    await this.apply(undefined).catch(() => undefined);
  }

  async #apply(config: AdminConfig | undefined): Promise<void> {
    if (!config?.enabled) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      await this.#admin?.close();
      this.#admin = undefined;
      return;
    }
    if (this.#admin) {
      await this.#admin.reconfigure(config);
      return;
    }
    this.#admin = await startAdmin(config, {
      control: this.control,
      logger: this.#deps.logger,
      onChange: this.#deps.onChange,
      beforeRequest: () => this.#gather(),
      changeSettled: this.#deps.syncWorkers,
    });
    this.#timer = setInterval(() => void this.#gather(), LOAD_REFRESH_MS).unref();
  }

  /** The workers' traffic now; requests arriving while one gathering runs share it. */
  #gather(): Promise<void> {
    this.#gathering ??= this.#deps
      .loads(LOAD_TIMEOUT_MS)
      .then((replies) => {
        this.#deps.plane.refresh();
        this.#loads = addUp(replies);
      })
      .catch((err: unknown) => this.#deps.logger.warn({ err }, "could not gather the workers' traffic"))
      .finally(() => (this.#gathering = undefined));
    return this.#gathering;
  }
}

interface Summed {
  inFlight: number;
  readonly recent: LatencySummary;
  readonly lastMinute: LatencySummary;
}

/** Every worker's loads, added up per upstream and backend. */
function addUp(replies: readonly UpstreamLoads[]): Map<string, Map<string, BackendLoadView>> {
  const out = new Map<string, Map<string, Summed>>();
  for (const upstreams of replies) {
    for (const [name, backends] of upstreams) {
      let byId = out.get(name);
      if (!byId) out.set(name, (byId = new Map<string, Summed>()));
      for (const b of backends) {
        let sum = byId.get(b.id);
        if (!sum)
          byId.set(
            b.id,
            (sum = { inFlight: 0, recent: new LatencySummary(), lastMinute: new LatencySummary() }),
          );
        sum.inFlight += b.inFlight;
        sum.recent.add(summaryOf(b.recent));
        sum.lastMinute.add(summaryOf(b.lastMinute));
      }
    }
  }
  return out;
}

/** A summary from its data as it crossed the process boundary. */
function summaryOf(data: SummaryData): LatencySummary {
  const summary = new LatencySummary(Float64Array.from(data.buckets));
  summary.requests = data.requests;
  summary.errors = data.errors;
  summary.sumMs = data.sumMs;
  summary.minMs = data.minMs;
  summary.maxMs = data.maxMs;
  return summary;
}
