import type { IDuplexStream, IWatchRequest, IWatchResponse } from "etcd3";
import { Range } from "etcd3";
import { etcdErrorType, WatchEndedError } from "./etcd-errors.ts";

/** One change under the watched prefix. */
export interface WatchEvent {
  readonly type: "put" | "delete";
  readonly key: string;
  readonly value: Buffer;
  readonly modRevision: number;
}

export interface WatchSessionOptions {
  readonly prefix: string;
  /** The first revision to report: the list's revision + 1, so nothing between the two is lost. */
  readonly startRevision: number;
  readonly progressIntervalMs: number;
  readonly progressTimeoutMs: number;
}

export interface WatchSessionHooks {
  /** One call per watch response that carries events, in revision order. */
  onEvents(events: readonly WatchEvent[]): void;
  /** etcd answered on this stream (created, events or progress): the watch is alive and in sync. */
  onAlive(): void;
}

/** A gRPC watch stream as the `etcd3` client hands it out. */
export type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

/** The watch id etcd gives progress responses, which belong to no single watcher. */
const PROGRESS_WATCH_ID = "-1";

/**
 * Runs one prefix watch on its own stream. Resolves when `signal` aborts; rejects with a
 * {@link WatchEndedError} when the watch can no longer be trusted: etcd compacted past it or
 * cancelled it, the stream failed or ended, or a progress request went unanswered. In every such
 * case the caller lists again rather than resuming, because only a list proves the set complete.
 */
export function runWatchSession(
  stream: WatchStream,
  options: WatchSessionOptions,
  hooks: WatchSessionHooks,
  signal: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let lastResponseAt = performance.now();
    let progressSentAt: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    let done = false;

    const finish = (error?: WatchEndedError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      try {
        // Half-close first: etcd3 marks the member failed (and drops its connections) when a stream
        // that is still writable errors, and cancelling a writable stream is such an error.
        stream.end();
        stream.cancel();
      } catch {
        // Already closed: nothing to release.
      }
      if (error) reject(error);
      else resolve();
    };
    const onAbort = (): void => finish();

    // Checks liveness once per interval; one timer per watch, nothing while responses flow.
    const check = (): void => {
      const now = performance.now();
      if (progressSentAt !== undefined && lastResponseAt < progressSentAt) {
        if (now - progressSentAt >= options.progressTimeoutMs) {
          finish(
            new WatchEndedError(
              "progress_timeout",
              `no answer from etcd for ${Math.round(now - lastResponseAt)} ms`,
            ),
          );
          return;
        }
        timer = setTimeout(check, options.progressTimeoutMs - (now - progressSentAt));
        return;
      }
      const quietFor = now - lastResponseAt;
      if (quietFor >= options.progressIntervalMs) {
        progressSentAt = now;
        stream.write({ progress_request: {} });
        timer = setTimeout(check, options.progressTimeoutMs);
      } else {
        timer = setTimeout(check, options.progressIntervalMs - quietFor);
      }
    };

    stream.on("data", (response) => {
      if (done) return;
      lastResponseAt = performance.now();
      const ended = endOf(response);
      if (ended) {
        finish(ended);
        return;
      }
      if (response.events.length > 0 && response.watch_id !== PROGRESS_WATCH_ID) {
        hooks.onEvents(response.events.map(toEvent));
      }
      hooks.onAlive();
    });
    stream.on("error", (error) =>
      finish(new WatchEndedError(etcdErrorType(error), error.message, { cause: error })),
    );
    stream.on("end", () => finish(new WatchEndedError("stream_ended", "etcd ended the watch stream")));
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) {
      finish();
      return;
    }

    const range = Range.prefix(options.prefix);
    stream.write({
      create_request: { key: range.start, range_end: range.end, start_revision: options.startRevision },
    });
    timer = setTimeout(check, options.progressIntervalMs);
  });
}

function endOf(response: IWatchResponse): WatchEndedError | undefined {
  if (!response.canceled) return undefined;
  // etcd cancels a watch whose start revision was compacted away (or that fell behind compaction).
  if (response.compact_revision !== "0" && response.compact_revision !== "") {
    return new WatchEndedError(
      "compacted",
      `revision compacted (compact revision ${response.compact_revision})`,
    );
  }
  return new WatchEndedError(
    "canceled",
    `etcd cancelled the watch: ${response.cancel_reason || "no reason given"}`,
  );
}

function toEvent(event: IWatchResponse["events"][number]): WatchEvent {
  return {
    // The typings say "Delete"; the loaded proto says "DELETE".
    type: String(event.type).toLowerCase() === "delete" ? "delete" : "put",
    key: event.kv.key.toString("utf8"),
    value: event.kv.value,
    modRevision: Number(event.kv.mod_revision),
  };
}
