import type { ConnectTarget } from "./http1-connection.ts";

/** The serialised request a model's connections send. */
export interface ModelRequest {
  readonly target: ConnectTarget;
  readonly bytes: Buffer;
  readonly noBody: boolean;
}

/** What the worker needs of either load model besides its `run`. */
export interface LoadModel {
  /** Ends the current window early (Ctrl-C); requests in flight still finish or time out. */
  stop(): void;
  /** Aborts requests older than the timeout. */
  sweep(now: number, timeoutMs: number): void;
  close(): void;
}
