import type { IncomingMessage, ServerResponse } from "node:http";
import type { BalancerControl } from "../server/balancer.ts";
import type { StampedEvent } from "../server/balancer-feed.ts";
import { upstreamViews } from "./admin-views.ts";
import type { StreamEventName, StreamEvents } from "./api-types.ts";

/** Discrete events kept for clients that connect or reconnect. */
const REPLAY = 200;
const SNAPSHOT_MS = 1000;
const PING_MS = 15_000;
/** A client with this much unsent data reads too slowly: it is dropped, not buffered for. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

interface Frame {
  readonly id: number;
  readonly text: string;
}

/**
 * `GET /api/v1/events`: Server-Sent Events. Balancer events go to every client as they happen and
 * into a replay ring; a snapshot of every upstream goes out each second while anyone listens.
 */
export class EventStream {
  readonly #control: BalancerControl;
  readonly #maxClients: number;
  readonly #clients = new Set<ServerResponse>();
  readonly #ring: Frame[] = [];
  /**
   * Ids continue from the process's start time in µs, not from 0: a browser reconnecting after a
   * restart sends the last id the earlier process gave it, which is then below every id of this
   * one, so it is sent this process's whole replay rather than nothing. (No process sends a
   * thousand frames a millisecond, so a later start is always past an earlier process's last id.)
   */
  #seq: number;
  #snapshotTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  readonly #unsubscribe: () => void;

  constructor(control: BalancerControl, maxClients: number) {
    this.#control = control;
    this.#maxClients = maxClients;
    this.#seq = Math.floor(control.now()) * 1000;
    this.#unsubscribe = control.feed.subscribe((event) => this.#onFeed(event));
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** False when the stream is full (the caller answers 503). */
  accept(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.#clients.size >= this.#maxClients) return false;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      // nginx and similar proxies buffer responses unless told not to.
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    const last = Number(req.headers["last-event-id"]);
    for (const frame of this.#ring) if (!(frame.id <= last)) res.write(frame.text);
    res.write(this.#frame("snapshot", this.#snapshot()).text);
    this.#clients.add(res);
    res.once("close", () => {
      this.#clients.delete(res);
      if (this.#clients.size === 0) this.#stopTimers();
    });
    this.#startTimers();
    return true;
  }

  /** Ends every stream and stops listening to the balancer. */
  close(): void {
    this.#unsubscribe();
    this.#stopTimers();
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #onFeed(event: StampedEvent): void {
    const [name, data] = streamEventOf(event);
    const frame = this.#frame(name, data);
    this.#ring.push(frame);
    if (this.#ring.length > REPLAY) this.#ring.shift();
    this.#send(frame.text);
  }

  #snapshot(): StreamEvents["snapshot"] {
    return { at: new Date(this.#control.now()).toISOString(), upstreams: upstreamViews(this.#control) };
  }

  #frame<N extends StreamEventName>(name: N, data: StreamEvents[N]): Frame {
    const id = ++this.#seq;
    return { id, text: `event: ${name}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n` };
  }

  #send(text: string): void {
    for (const res of this.#clients) {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }

  #startTimers(): void {
    this.#snapshotTimer ??= setInterval(
      () => this.#send(this.#frame("snapshot", this.#snapshot()).text),
      SNAPSHOT_MS,
    );
    this.#pingTimer ??= setInterval(() => this.#send(": ping\n\n"), PING_MS);
  }

  #stopTimers(): void {
    clearInterval(this.#snapshotTimer);
    clearInterval(this.#pingTimer);
    this.#snapshotTimer = undefined;
    this.#pingTimer = undefined;
  }
}

/** A feed event as the stream names and shapes it. */
function streamEventOf(event: StampedEvent): [StreamEventName, StreamEvents[StreamEventName]] {
  switch (event.type) {
    case "health": {
      const { type: _, ...data } = event;
      return ["health", data];
    }
    case "ejection": {
      const { type: _, until, ...rest } = event;
      return ["ejection", { ...rest, until: new Date(until).toISOString() }];
    }
    case "members": {
      const { type: _, ...data } = event;
      return ["members", data];
    }
    case "reload": {
      const { type: _, ...data } = event;
      return ["reload", data];
    }
    case "canary": {
      const { type: _, ...data } = event;
      return ["canary", data];
    }
    case "analysis": {
      const { type: _, ...data } = event;
      return ["analysis", data];
    }
    case "change": {
      const { type: _, ...data } = event;
      return ["change", data];
    }
  }
}
