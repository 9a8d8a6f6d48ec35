import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { AdminConfig } from "../config/types.ts";
import type { BalancerControl } from "../server/balancer.ts";
import { adminSettings, createAdminApp, type AdminChange, type AdminSettings } from "./admin-app.ts";
import { EventStream } from "./event-stream.ts";

/** Event stream clients at once; more get 503 (each costs a snapshot a second). */
const MAX_STREAM_CLIENTS = 64;

export interface AdminDeps {
  readonly control: BalancerControl;
  readonly logger: Logger;
  readonly onChange?: (change: AdminChange) => void;
  /** Runs before each authenticated request (a multi-worker primary gathers its workers' traffic). */
  readonly beforeRequest?: () => Promise<void>;
  /** Resolves once a change is in force wherever requests are served (see createAdminApp). */
  readonly changeSettled?: () => Promise<void>;
}

/** The admin listener, running. */
export interface RunningAdmin {
  /** `http://host:port`. */
  readonly url: string;
  /** A reload's `admin`: new tokens and read access at once; a new address rebinds. */
  reconfigure(config: AdminConfig): Promise<void>;
  /** Ends the event streams and closes the listener. */
  close(): Promise<void>;
}

/** Starts the admin API on its own listener and resolves once it listens. */
export async function startAdmin(config: AdminConfig, deps: AdminDeps): Promise<RunningAdmin> {
  const settings: AdminSettings = adminSettings(config);
  const events = new EventStream(deps.control, MAX_STREAM_CLIENTS);
  const app = createAdminApp(settings, { ...deps, events });
  let server = await listen(createServer(app), config.host, config.port);
  let url = urlOf(server);
  deps.logger.info({ listen_url: url }, "admin API listening");
  return {
    get url() {
      return url;
    },
    async reconfigure(next: AdminConfig): Promise<void> {
      const rebind = next.host !== settings.config.host || next.port !== settings.config.port;
      if (!rebind) {
        Object.assign(settings, adminSettings(next));
        return;
      }
      // Bind first: if the new address is refused, nothing changes (old listener, old settings),
      // so the next reload naming that address tries it again.
      const moved = await listen(createServer(app), next.host, next.port);
      Object.assign(settings, adminSettings(next));
      const old = server;
      server = moved;
      url = urlOf(server);
      deps.logger.info({ listen_url: url }, "admin API moved");
      await closeServer(old);
    },
    async close(): Promise<void> {
      events.close();
      await closeServer(server);
    },
  };
}

async function listen(server: Server, host: string, port: number): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}

function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

function urlOf(server: Server): string {
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`;
}
