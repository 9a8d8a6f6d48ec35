import type { IncomingMessage } from "node:http";
import type { RouteConfig } from "../config/types.ts";

export interface MatchedRoute {
  readonly route: RouteConfig;
  /** Bounded label for telemetry (`http.route`): the route's path template, never the request path. */
  readonly label: string;
}

/**
 * `http.route` of a prefix route: the prefix then `*` for whatever follows (`/api` → `/api*`,
 * `/api/` → `/api/*`, `/` → `/*`), the glob nginx locations and Traefik's PathPrefix match.
 * The `*` keeps a prefix route apart from a request for exactly that path; the host is not part
 * of it (it is `server.address`), as semconv's route is a path template.
 */
export function routeTemplate(route: RouteConfig): string {
  return `${route.match.pathPrefix}*`;
}

/**
 * First-match router over routes already ordered by specificity (the config module sorts them:
 * host routes before host-less ones, longer path prefixes first).
 */
export class Router {
  readonly #routes: readonly MatchedRoute[];

  constructor(routes: readonly RouteConfig[]) {
    this.#routes = routes.map((route) => ({
      route,
      label: routeTemplate(route),
    }));
  }

  match(req: IncomingMessage): MatchedRoute | undefined {
    const url = req.url ?? "/";
    let host: string | undefined;
    for (const matched of this.#routes) {
      const { match } = matched.route;
      if (match.host !== undefined) {
        host ??= hostOf(req);
        if (host !== match.host) continue;
      }
      if (url.startsWith(match.pathPrefix)) return matched;
    }
    return undefined;
  }
}

/** Host header without port, lower-cased; IPv6 literals keep their brackets. */
function hostOf(req: IncomingMessage): string {
  const raw = req.headers.host ?? "";
  const end = raw.startsWith("[") ? raw.indexOf("]") + 1 : raw.indexOf(":");
  return (end > 0 ? raw.slice(0, end) : raw).toLowerCase();
}
