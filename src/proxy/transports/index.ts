import type { TransportName } from "../../config/types.ts";
import type { BackendAgents } from "./agents.ts";
import { createHttpProxyTransport } from "./http-proxy.ts";
import type { Transport } from "./transport.ts";
import { createUndiciTransport } from "./undici.ts";

/** The transport named by `server.transport`; http-proxy uses `agents` for keep-alive. */
export function createTransport(name: TransportName, agents: BackendAgents): Transport {
  switch (name) {
    case "http-proxy":
      return createHttpProxyTransport(agents);
    case "undici":
      return createUndiciTransport();
  }
}
