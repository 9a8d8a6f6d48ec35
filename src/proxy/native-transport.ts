import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { BackendAgents } from "./agents.ts";
import {
  AttemptWatch,
  type AttemptRequest,
  type RunningAttempt,
  type Transport,
} from "./upstream-attempt.ts";

/** Upstream requests made directly with `node:http` over keep-alive agents (`server.transport: native`). */
export function createNativeTransport(agents: BackendAgents): Transport {
  return {
    start(a: AttemptRequest): RunningAttempt {
      const { backend } = a;
      const request = (backend.url.protocol === "https:" ? httpsRequest : httpRequest)({
        protocol: backend.url.protocol,
        hostname: backend.url.hostname,
        port: backend.url.port,
        method: a.method,
        path: a.path,
        headers: a.headers,
        agent: agents.get(backend, a.keepAlive),
      });
      const watch = new AttemptWatch(a, () => a.body?.pipe(request));
      watch.watch(request);
      if (!a.body) request.end();
      return watch;
    },
    connectionCount: () => agents.socketCount(),
    retain: (ids) => agents.retain(ids),
    close: () => agents.destroyAll(),
  };
}
