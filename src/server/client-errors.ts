import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { answerClientError } from "../proxy/error-writer.ts";
import type { ProxyObserver } from "../proxy/observer.ts";

/**
 * The server's `clientError` handler: answers a request Node's parser refused (400, 408, 431) and
 * reports the answer to telemetry, so these requests count in the request metrics, traces and
 * access log like any other (the 4xx share of all requests stays true).
 */
export function clientErrorHandler(
  observer: ProxyObserver,
): (err: NodeJS.ErrnoException, socket: Duplex) => void {
  return (err, socket) => {
    const answer = answerClientError(err, socket);
    if (answer === undefined || observer.onRejected === undefined) return;
    observer.onRejected({ socket: socket as Socket, statusCode: answer.status, errorCode: answer.code });
  };
}
