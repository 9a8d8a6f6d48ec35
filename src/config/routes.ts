import type { RouteConfig } from "./types.ts";

/**
 * Orders routes for first-match routing: a route with a host before any route without one,
 * then the longer pathPrefix first (so `/api/v2` wins over `/api`, and `/` comes last); equal
 * routes keep the order they were written in. This is nginx's "longest prefix wins" for
 * locations, applied after virtual-host selection.
 */
export function orderRoutes(routes: readonly RouteConfig[]): RouteConfig[] {
  return routes
    .map((route, index) => ({ route, index }))
    .sort(
      (a, b) =>
        hostRank(a.route) - hostRank(b.route) ||
        b.route.match.pathPrefix.length - a.route.match.pathPrefix.length ||
        a.index - b.index,
    )
    .map(({ route }) => route);
}

function hostRank(route: RouteConfig): number {
  return route.match.host === undefined ? 1 : 0;
}
