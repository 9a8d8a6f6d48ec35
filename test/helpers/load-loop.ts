import { Agent, request } from "undici";

/** One response of a load run. */
export interface LoadResult {
  readonly status: number;
  /** `x-backend` of the answer (test backends name themselves), or "" */
  readonly backend: string;
  readonly setCookie: string | undefined;
  /** Date.now() when the request was sent and when its response ended. */
  readonly sentAt: number;
  readonly doneAt: number;
  /** A transport error instead of a response. */
  readonly error?: string;
}

export interface LoadOptions {
  readonly url: string;
  /** Stop after this many requests… */
  readonly count: number;
  /** …or after this long, whichever comes first. */
  readonly maxMs: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** When set, requests start at this rate (open loop, still at most `concurrency` in flight). */
  readonly ratePerSecond?: number;
  readonly headers?: Record<string, string>;
  /** Stop early when this returns true (checked after each response). */
  readonly until?: () => boolean;
  readonly onResult?: (result: LoadResult) => void;
}

/** Sends bounded load over keep-alive connections and returns every result. */
export async function runLoad(options: LoadOptions): Promise<LoadResult[]> {
  const agent = new Agent({ connections: options.concurrency, pipelining: 1 });
  const results: LoadResult[] = [];
  const deadline = Date.now() + options.maxMs;
  const gapMs = options.ratePerSecond ? 1000 / options.ratePerSecond : 0;
  const startedAt = Date.now();
  let started = 0;
  const more = (): boolean =>
    started < options.count && Date.now() < deadline && !(options.until?.() ?? false);
  const worker = async (): Promise<void> => {
    while (more()) {
      if (gapMs > 0) {
        const due = startedAt + started * gapMs;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (!more()) return;
      }
      started++;
      const result = await once(agent, options.url, options.headers ?? {});
      results.push(result);
      options.onResult?.(result);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    await agent.close();
  }
  return results;
}

async function once(agent: Agent, url: string, headers: Record<string, string>): Promise<LoadResult> {
  const sentAt = Date.now();
  try {
    const res = await request(url, { dispatcher: agent, headers });
    await res.body.dump();
    const cookie = res.headers["set-cookie"];
    return {
      status: res.statusCode,
      backend: String(res.headers["x-backend"] ?? ""),
      setCookie: Array.isArray(cookie) ? cookie.join("\n") : cookie,
      sentAt,
      doneAt: Date.now(),
    };
  } catch (error) {
    return {
      status: 0,
      backend: "",
      setCookie: undefined,
      sentAt,
      doneAt: Date.now(),
      error: (error as Error).message,
    };
  }
}
