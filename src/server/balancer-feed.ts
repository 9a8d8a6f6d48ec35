import type { AnalysisView, TransitionView } from "../canary/canary-view.ts";
import type { MembersChange } from "../upstream/upstream-registry.ts";

/** Everything that happens to a running balancer that an observer (the admin event stream) may show. */
export type FeedEvent =
  | {
      readonly type: "health";
      readonly upstream: string;
      readonly backend: string;
      readonly up: boolean;
      readonly reason: string;
    }
  | {
      readonly type: "ejection";
      readonly upstream: string;
      readonly backend: string;
      readonly reason: string;
      /** Wall-clock milliseconds the ejection ends. */
      readonly until: number;
    }
  | ({ readonly type: "members" } & MembersChange)
  | {
      readonly type: "reload";
      readonly outcome: "applied" | "rejected";
      readonly upstreams: readonly string[];
      readonly problems: readonly string[];
    }
  | ({ readonly type: "canary"; readonly upstream: string } & TransitionView)
  | ({
      readonly type: "analysis";
      readonly upstream: string;
      readonly failures: number;
      readonly idleIntervals: number;
    } & AnalysisView)
  | {
      readonly type: "change";
      readonly who: string;
      readonly action: string;
      readonly upstream: string;
      readonly backend: string | null;
      readonly change: Readonly<Record<string, unknown>>;
    };

/** A feed event with the wall-clock time it was published. */
export type StampedEvent = FeedEvent & { readonly at: string };

/**
 * A fan-out of balancer events to whoever listens (the admin API's event stream). Publishing
 * never throws into the publisher, and costs nothing when nobody listens.
 */
export class BalancerFeed {
  readonly #listeners = new Set<(event: StampedEvent) => void>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  publish(event: FeedEvent): void {
    if (this.#listeners.size === 0) return;
    // A canary event carries the time it was decided; others are stamped now.
    const stamped = "at" in event ? event : { ...event, at: new Date(this.#now()).toISOString() };
    for (const listener of this.#listeners) {
      try {
        listener(stamped);
      } catch {
        // A listener's failure is its own; the balancer goes on.
      }
    }
  }

  subscribe(listener: (event: StampedEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
