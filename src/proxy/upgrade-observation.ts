import type { IncomingMessage } from "node:http";
import { CLIENT_CLOSED, type TracewayError } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import type { AttemptObservation, RequestObservation } from "./observer.ts";

/**
 * The telemetry of one WebSocket (Upgrade) request: the same SERVER span, duration point and access
 * line as a proxied request, and a CLIENT span for the attempt on the backend, whose trace context
 * travels in the upgrade request. The request ends at the handshake (the backend's 101, its refusal
 * or a failure): the duration is the handshake's, not the tunnel's lifetime, so hour-long tunnels
 * do not swamp a route's latency; bytes are those of the handshake (none).
 */
export class UpgradeObservation {
  readonly #obs: RequestObservation;
  readonly #upstream: string;
  #attempt: AttemptObservation | undefined;
  #backend: Backend | undefined;

  constructor(obs: RequestObservation, upstream: string) {
    this.#obs = obs;
    this.#upstream = upstream;
  }

  /** The attempt on `backend` starts; its trace context goes into `req.headers`, which are sent. */
  attempt(req: IncomingMessage, backend: Backend): void {
    this.#backend = backend;
    this.#attempt = this.#obs.onAttempt({
      backend,
      upstream: this.#upstream,
      method: req.method ?? "GET",
      url: backend.id + (req.url ?? "/"),
      resendCount: 0,
      headers: req.headers,
    });
  }

  /** The backend answered the upgrade: 101 (the tunnel opens) or another status, relayed as is. */
  answered(statusCode: number): void {
    this.#attempt?.end({ statusCode });
    this.#obs.end({ statusCode, retries: 0, bytesIn: 0, bytesOut: 0, ...this.#backendField() });
  }

  /** traceway answered `error` on the socket: before any attempt, or after the attempt failed. */
  failed(error: TracewayError, attemptErrorType?: string): void {
    if (attemptErrorType !== undefined) this.#attempt?.end({ errorType: attemptErrorType });
    this.#obs.end({ statusCode: error.status, retries: 0, errorCode: error.code, bytesIn: 0, bytesOut: 0 });
  }

  /** The client left before any answer (while queued for a connection slot). */
  clientGone(): void {
    this.#obs.end({ statusCode: undefined, retries: 0, errorCode: CLIENT_CLOSED, bytesIn: 0, bytesOut: 0 });
  }

  #backendField(): { backend?: Backend } {
    return this.#backend === undefined ? {} : { backend: this.#backend };
  }
}
