import type { TransportName } from "../config/types.ts";
import type { BackendAgents } from "./agents.ts";
import { createHttpProxyTransport } from "./http-proxy-transport.ts";
import { createNativeTransport } from "./native-transport.ts";
import { createUndiciTransport } from "./undici-transport.ts";
import type { Transport } from "./upstream-attempt.ts";

/** The transport named by `server.transport`; the node:http ones use `agents` for keep-alive. */
export function createTransport(name: TransportName, agents: BackendAgents): Transport {
  switch (name) {
    case "http-proxy":
      return createHttpProxyTransport(agents);
    case "native":
      return createNativeTransport(agents);
    case "undici":
      return createUndiciTransport();
  }
}
