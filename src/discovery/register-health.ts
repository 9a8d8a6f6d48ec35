import type { RegisterHealthOptions } from "./register-options.ts";

/** What one probe saw. */
export interface ProbeOutcome {
  readonly ok: boolean;
  /** `200`, `503`, `ECONNREFUSED`, `timeout after 1000ms`. */
  readonly detail: string;
}

/**
 * Probes a service's health URL every interval and says when the registration should go or come
 * back: out after `unhealthyThreshold` failures in a row, in again after `healthyThreshold`
 * passes in a row. Before the first verdict one passing probe is enough, so a healthy service is
 * registered at once instead of after a threshold's worth of intervals. 2xx and 3xx pass (as the
 * balancer's `expectStatus` default).
 */
export class HealthWatch {
  readonly #options: RegisterHealthOptions;
  readonly #onChange: (up: boolean, outcome: ProbeOutcome) => void;
  readonly #abort = new AbortController();
  #up: boolean | undefined;
  #streak = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RegisterHealthOptions, onChange: (up: boolean, outcome: ProbeOutcome) => void) {
    this.#options = options;
    this.#onChange = onChange;
  }

  start(): void {
    void this.#probeLoop();
  }

  stop(): void {
    this.#abort.abort();
    clearTimeout(this.#timer);
  }

  async #probeLoop(): Promise<void> {
    if (this.#abort.signal.aborted) return;
    const outcome = await probe(this.#options.url, this.#options.timeoutMs, this.#abort.signal);
    if (this.#abort.signal.aborted) return;
    this.#record(outcome);
    this.#timer = setTimeout(() => void this.#probeLoop(), this.#options.intervalMs);
  }

  #record(outcome: ProbeOutcome): void {
    if (this.#up === undefined) {
      if (!outcome.ok) return;
      this.#up = true;
      this.#onChange(true, outcome);
      return;
    }
    if (outcome.ok === this.#up) {
      this.#streak = 0;
      return;
    }
    this.#streak += 1;
    const needed = this.#up ? this.#options.unhealthyThreshold : this.#options.healthyThreshold;
    if (this.#streak < needed) return;
    this.#up = outcome.ok;
    this.#streak = 0;
    this.#onChange(outcome.ok, outcome);
  }
}

async function probe(url: URL, timeoutMs: number, stop: AbortSignal): Promise<ProbeOutcome> {
  try {
    const response = await fetch(url, {
      redirect: "manual",
      headers: { "user-agent": "traceway-register/1" },
      signal: AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]),
    });
    await response.body?.cancel();
    return { ok: response.status >= 200 && response.status < 400, detail: String(response.status) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    const name = (error as Error).name;
    const detail =
      name === "TimeoutError" ? `timeout after ${timeoutMs}ms` : (cause?.code ?? (error as Error).message);
    return { ok: false, detail };
  }
}
