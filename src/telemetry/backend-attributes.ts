import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_SERVER_ADDRESS,
  ATTR_TRACEWAY_BACKEND,
  ATTR_TRACEWAY_UPSTREAM,
} from "../../interceptors/balancer-entry.ts";
import type { Backend } from "../pool/backend.ts";

const DEFAULT_PORTS: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 };

/** What every data point about one backend shares, computed once per backend. */
export interface BackendLabels {
  /** `{traceway.upstream, traceway.backend}`: frozen, shared by every point. */
  readonly attributes: Attributes;
  readonly address: string;
  readonly port: number;
}

/**
 * Per-backend label sets, cached so the hot path builds no objects for them. Keyed weakly: a
 * backend removed by a reload is forgotten with it.
 */
export class BackendLabelCache {
  readonly #byBackend = new WeakMap<Backend, BackendLabels>();
  readonly #byUpstream = new Map<string, Attributes>();
  readonly #byRoute = new Map<string | undefined, Map<string, Attributes>>();

  of(upstream: string, backend: Backend): BackendLabels {
    let labels = this.#byBackend.get(backend);
    if (labels === undefined) {
      labels = {
        attributes: Object.freeze({
          [ATTR_TRACEWAY_UPSTREAM]: upstream,
          [ATTR_TRACEWAY_BACKEND]: backend.label,
        }),
        address: backend.url.hostname,
        port: Number(backend.url.port) || (DEFAULT_PORTS[backend.url.protocol] ?? 0),
      };
      this.#byBackend.set(backend, labels);
    }
    return labels;
  }

  /**
   * The extra attributes of a request's SERVER span and duration point: `traceway.upstream` and,
   * for a route with `match.host`, `server.address` (the virtual host, bounded by the config; a
   * raw `Host` header is never a label). Undefined when neither is known (no route matched).
   */
  route(upstream: string | undefined, host: string | undefined): Attributes | undefined {
    if (host === undefined) return upstream === undefined ? undefined : this.upstream(upstream);
    let byHost = this.#byRoute.get(upstream);
    if (byHost === undefined) this.#byRoute.set(upstream, (byHost = new Map<string, Attributes>()));
    let attributes = byHost.get(host);
    if (attributes === undefined) {
      attributes = Object.freeze({
        ...(upstream === undefined ? {} : { [ATTR_TRACEWAY_UPSTREAM]: upstream }),
        [ATTR_SERVER_ADDRESS]: host,
      });
      byHost.set(host, attributes);
    }
    return attributes;
  }

  /** `{traceway.upstream}`: upstream names come from the config, so this map stays small. */
  upstream(upstream: string): Attributes {
    let attributes = this.#byUpstream.get(upstream);
    if (attributes === undefined) {
      attributes = Object.freeze({ [ATTR_TRACEWAY_UPSTREAM]: upstream });
      this.#byUpstream.set(upstream, attributes);
    }
    return attributes;
  }
}
