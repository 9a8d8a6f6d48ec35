import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { PassThrough } from "node:stream";
import httpProxy from "http-proxy";
import type { BackendAgents } from "./agents.ts";
import { AttemptWatch } from "./attempt-watch.ts";
import type { AttemptRequest, RunningAttempt, Transport, TransportClient } from "./transport.ts";

/** http-proxy copies plain string keys of the per-call options, so the attempt rides along. */
const ATTEMPT_KEY = "tracewayAttempt";

type OptionsWithAttempt = httpProxy.ServerOptions & { [ATTEMPT_KEY]?: AttemptWatch };

/**
 * Upstream requests made by `http-proxy`'s `web()` (`server.transport: http-proxy`).
 * We keep the decisions http-proxy cannot make for a balancer: the response is handled by us
 * (`selfHandleResponse`) so a 502/503 can be retried elsewhere, and the body reaches http-proxy
 * through a gate that opens only once the upstream socket is connected, so a connect failure
 * leaves the body unread and the request resendable.
 */
export function createHttpProxyTransport(agents: BackendAgents): Transport {
  const proxy = httpProxy.createProxyServer({ selfHandleResponse: true, xfwd: false, prependPath: false });
  proxy.on(
    "proxyReq",
    (proxyReq: ClientRequest, _req: IncomingMessage, _res: ServerResponse, options: OptionsWithAttempt) => {
      options[ATTEMPT_KEY]?.watch(proxyReq);
    },
  );
  // Errors arrive through each call's callback; this only keeps http-proxy from throwing.
  proxy.on("error", () => {});

  return {
    start(a: AttemptRequest, client: TransportClient | undefined): RunningAttempt {
      // http-proxy's web() relays through the client's own request and response.
      if (client === undefined) throw new TypeError("the http-proxy transport needs a client request");
      const gate = new PassThrough();
      const { body } = a;
      const stream = Buffer.isBuffer(body) ? undefined : body;
      const watch = new AttemptWatch(a, stream, () => stream?.pipe(gate));
      if (stream === undefined) gate.end(body);
      // http-proxy builds the upstream headers from req.headers: hand it ours (hop-by-hop
      // stripped, forwarding and trace headers set). `expect` must go, or http-proxy skips the
      // proxyReq event; Node already answered the client's 100-continue.
      const headers = a.headers as IncomingHttpHeaders;
      delete headers.expect;
      client.req.headers = headers;
      const options: OptionsWithAttempt = {
        target: a.backend.url,
        agent: agents.get(a.backend, a.keepAlive),
        buffer: gate,
        [ATTEMPT_KEY]: watch,
      };
      client.req.url = a.path;
      proxy.web(client.req, client.res, options, (error: Error) => watch.fail(error));
      return watch;
    },
    connectionCount: () => agents.socketCount(),
    retain: (ids) => agents.retain(ids),
    refresh: (ids) => agents.refresh(ids),
    close(): void {
      proxy.close();
      agents.destroyAll();
    },
  };
}
