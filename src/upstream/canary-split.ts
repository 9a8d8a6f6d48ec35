import type { IncomingMessage } from "node:http";
import type { CanaryConfig } from "../config/types.ts";
import type { PassiveRecorder } from "../health/attempt-outcome.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import type { Strategy } from "../strategies/strategy.ts";

/** One side of an upstream's traffic: its backends, the strategy that picks among them, passive health. */
export interface UpstreamSide {
  readonly pool: UpstreamPool;
  readonly strategy: Strategy;
  readonly passive: PassiveRecorder;
}

/** {@link CanarySplit.choose}: bit 0 set = canary side; bit 1 set = the response sets the stickiness cookie. */
export const TO_CANARY = 1;
export const SET_COOKIE = 2;

/** What the canary controller decides and the split carries out; see `control-commands.ts`. */
export interface SplitState {
  /** Percent of new requests to the canary side, 0..100. */
  readonly share: number;
  /** Names the run in stickiness cookies: a cookie from another run is ignored. */
  readonly runTag: string;
}

/**
 * The canary side of an upstream and the share of new requests it gets. The split is an error
 * accumulator (Bresenham's line, or smooth weighted round robin over two entries): every request
 * adds `share` and takes the canary side when the sum reaches 100, so over any 100 requests the
 * canary gets exactly `share` of them, with no randomness to wait out.
 *
 * While the canary is live (0 < share < 100), a request may choose its side: the stickiness
 * cookie of this run keeps a client on the side it was given (and the first response sets it), and
 * the override header, when configured, forces `canary`/`always` or `stable`/`never`. Neither
 * counts toward the accumulator, so the share holds among the requests the split decides.
 */
export class CanarySplit implements UpstreamSide {
  readonly pool: UpstreamPool;
  strategy: Strategy;
  readonly passive: PassiveRecorder;
  #share = 0;
  #acc = 0;
  #cookie: string | undefined;
  #header: string | undefined;
  #runTag = "";
  /** `name=canary.<tag>` and `name=stable.<tag>` as they appear in a Cookie header. */
  #canaryValue = "";
  #stableValue = "";
  #setCanary = "";
  #setStable = "";

  constructor(side: UpstreamSide, config: CanaryConfig) {
    this.pool = side.pool;
    this.strategy = side.strategy;
    this.passive = side.passive;
    this.configure(config);
  }

  get share(): number {
    return this.#share;
  }

  get runTag(): string {
    return this.#runTag;
  }

  get cookieName(): string | undefined {
    return this.#cookie;
  }

  get headerName(): string | undefined {
    return this.#header;
  }

  /** Stickiness and header settings from a (re)loaded config. */
  configure(config: CanaryConfig): void {
    this.#cookie = config.stickiness?.cookie;
    this.#header = config.header;
    this.#refreshCookies();
  }

  /** Applies the controller's decision (through the `canary.split` command). */
  setState(state: SplitState): void {
    if (state.share !== this.#share) this.#acc = 0;
    this.#share = Math.min(100, Math.max(0, state.share));
    this.#runTag = state.runTag;
    this.#refreshCookies();
  }

  /** The side for a new request: {@link TO_CANARY} and {@link SET_COOKIE} bits. */
  choose(req: Pick<IncomingMessage, "headers">): number {
    const share = this.#share;
    if (share <= 0) return 0;
    if (share >= 100) return TO_CANARY;
    if (this.#header !== undefined) {
      const forced = req.headers[this.#header];
      if (forced === "canary" || forced === "always") return TO_CANARY;
      if (forced === "stable" || forced === "never") return 0;
    }
    if (this.#cookie !== undefined) {
      const cookies = req.headers.cookie;
      if (cookies !== undefined) {
        if (hasCookie(cookies, this.#canaryValue)) return TO_CANARY;
        if (hasCookie(cookies, this.#stableValue)) return 0;
      }
    }
    this.#acc += share;
    let side = 0;
    if (this.#acc >= 100) {
      this.#acc -= 100;
      side = TO_CANARY;
    }
    return this.#cookie === undefined ? side : side | SET_COOKIE;
  }

  /** The Set-Cookie value that keeps a client on `side` for this run. */
  setCookieFor(toCanary: boolean): string {
    return toCanary ? this.#setCanary : this.#setStable;
  }

  #refreshCookies(): void {
    const name = this.#cookie;
    if (name === undefined) return;
    this.#canaryValue = `${name}=canary.${this.#runTag}`;
    this.#stableValue = `${name}=stable.${this.#runTag}`;
    // A session cookie: a browser restart re-splits, as does a new run (its tag differs).
    this.#setCanary = `${this.#canaryValue}; Path=/; HttpOnly; SameSite=Lax`;
    this.#setStable = `${this.#stableValue}; Path=/; HttpOnly; SameSite=Lax`;
  }
}

/** True when the Cookie header holds exactly `pair` (`name=value`) as one of its cookies. */
function hasCookie(header: string, pair: string): boolean {
  let at = header.indexOf(pair);
  while (at !== -1) {
    const before = at === 0 ? " " : header[at - 1];
    const after = header[at + pair.length];
    if ((before === " " || before === ";") && (after === undefined || after === ";" || after === " "))
      return true;
    at = header.indexOf(pair, at + 1);
  }
  return false;
}
