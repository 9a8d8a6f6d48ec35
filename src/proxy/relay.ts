import { CLIENT_CLOSED } from "../errors.ts";
import type { Backend } from "../pool/backend.ts";
import { releaseSlot } from "./backend-selector.ts";
import type { ForwardedRequest } from "./forwarded-request.ts";
import { withoutHopByHop } from "./hop-by-hop.ts";
import type { UpstreamResponse } from "./transports/transport.ts";
import type { OutgoingHttpHeaders } from "node:http";

/**
 * Streams the chosen upstream response to the client and ends the request's observation exactly
 * once: when the body is through, when the backend dies mid-body, or when the client leaves.
 */
export class ResponseRelay {
  readonly #x: ForwardedRequest;
  readonly #response: UpstreamResponse;
  readonly #backend: Backend;
  readonly #retries: number;
  #finished = false;

  constructor(x: ForwardedRequest, response: UpstreamResponse, backend: Backend, retries: number) {
    this.#x = x;
    this.#response = response;
    this.#backend = backend;
    this.#retries = retries;
  }

  start(): void {
    const { res, setCookie } = this.#x;
    const headers = withoutHopByHop(this.#response.headers);
    if (setCookie !== undefined) addSetCookie(headers, setCookie);
    res.writeHead(this.#response.status, this.#response.statusMessage, headers);
    this.#response.relay(res, this.#onBodyError);
  }

  /** The client's response closed: finished normally, or cut short by the client. */
  onClientClose(): void {
    if (!this.#x.res.writableFinished) {
      this.#response.cancel();
      // The head went out in start(): the client got this status, then left mid-body.
      this.#finish(this.#response.status, CLIENT_CLOSED);
    } else {
      this.#finish(this.#response.status, undefined);
    }
  }

  /** The backend died mid-body: the status is already sent, so the client must see a cut. */
  readonly #onBodyError = (): void => {
    this.#x.res.destroy();
    this.#finish(this.#response.status, "TRACEWAY_ERR_UPSTREAM_RESET");
  };

  #finish(statusCode: number, errorCode: string | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    const x = this.#x;
    releaseSlot(x.upstream, this.#backend);
    const backend = this.#backend;
    const retries = this.#retries;
    const bytesIn = x.bodyCounter.bytes;
    const bytesOut = this.#response.bodyBytes;
    x.obs.end(
      errorCode === undefined
        ? { statusCode, backend, retries, bytesIn, bytesOut }
        : { statusCode, backend, retries, bytesIn, bytesOut, errorCode },
    );
  }
}

/** Adds a Set-Cookie line to the backend's own (a header that may repeat). */
function addSetCookie(headers: OutgoingHttpHeaders, cookie: string): void {
  const existing = headers["set-cookie"];
  if (existing === undefined) headers["set-cookie"] = cookie;
  else if (Array.isArray(existing)) headers["set-cookie"] = [...existing, cookie];
  else headers["set-cookie"] = [String(existing), cookie];
}
