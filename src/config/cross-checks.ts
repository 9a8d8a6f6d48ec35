import { parseBackendUrl } from "./backend-url.ts";
import { DEFAULT_PATH_PREFIX } from "./defaults.ts";
import { formatPath, type ConfigProblem } from "./format-problems.ts";
import { checkKafka } from "./kafka-cross-checks.ts";
import { show } from "./parsed.ts";
import { checkWorkersSupport } from "./workers-checks.ts";

/** Upstream names become metric labels and key paths: keep them plain. */
const UPSTREAM_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Rules that relate several values (duplicates, references between sections). They run on the
 * raw tree whether or not the schema passed, so one run reports every problem; anything not yet
 * the right shape is skipped here because the schema already reports it.
 */
export function crossCheck(file: unknown): ConfigProblem[] {
  if (!isObject(file)) return [];
  const problems: ConfigProblem[] = [];
  const upstreams = isObject(file.upstreams) ? file.upstreams : undefined;
  if (upstreams) {
    for (const [name, upstream] of Object.entries(upstreams)) {
      if (!UPSTREAM_NAME.test(name)) {
        problems.push({
          path: "upstreams",
          message: `invalid upstream name ${show(name)}: use letters, digits, "_" and "-"`,
        });
      }
      if (!isObject(upstream)) continue;
      if (Array.isArray(upstream.backends)) {
        checkBackends(upstream.backends, ["upstreams", name, "backends"], problems);
      }
      checkBackendSource(upstream, ["upstreams", name], problems);
      if (isObject(upstream) && isObject(upstream.canary))
        checkCanary(name, upstream, upstream.canary, problems);
    }
  }
  checkRoutes(file.routes, upstreams, problems);
  checkKafka(file.kafka, upstreams, problems);
  checkWorkersSupport(file, problems);
  return problems;
}

/** An upstream's backends come from exactly one place: its `backends` list or its `discovery`. */
function checkBackendSource(
  upstream: Record<string, unknown>,
  path: PropertyKey[],
  problems: ConfigProblem[],
): void {
  const listed = upstream.backends !== undefined;
  const discovered = upstream.discovery !== undefined;
  if (listed && discovered) {
    problems.push({
      path: formatPath([...path, "discovery"]),
      message: "cannot be used together with backends: list the backends here or discover them, not both",
    });
  } else if (!listed && !discovered) {
    problems.push({
      path: formatPath(path),
      message: "needs backends (a list in this file) or discovery (e.g. discovery.etcd)",
    });
  }
}

function checkBackends(backends: unknown[], path: PropertyKey[], problems: ConfigProblem[]): void {
  const firstIndexByOrigin = new Map<string, number>();
  backends.forEach((backend, i) => {
    if (!isObject(backend)) return;
    const parsed = parseBackendUrl(backend.url);
    if (!parsed.ok) return;
    const first = firstIndexByOrigin.get(parsed.value);
    if (first === undefined) firstIndexByOrigin.set(parsed.value, i);
    else {
      problems.push({
        path: formatPath([...path, i, "url"]),
        message: `duplicate backend ${show(backend.url)}: same origin as backends[${first}]`,
      });
    }
  });
  // With only backups there is nothing to fail over from: nginx refuses this too.
  if (backends.length > 0 && backends.every((b) => isObject(b) && b.backup === true)) {
    problems.push({ path: formatPath(path), message: "needs at least one backend without backup: true" });
  }
}

/**
 * A canary set must not overlap the stable one (a backend is on one side), and `select` needs
 * discovery: backends listed in the file carry no metadata to select by.
 */
function checkCanary(
  name: string,
  upstream: Record<string, unknown>,
  canary: Record<string, unknown>,
  problems: ConfigProblem[],
): void {
  const path = ["upstreams", name, "canary"];
  if (canary.select !== undefined && upstream.discovery === undefined) {
    problems.push({
      path: formatPath([...path, "select"]),
      message:
        "needs discovery (etcd): backends listed in the file carry no metadata; list the canary's backends in canary.backends",
    });
  }
  if (!Array.isArray(canary.backends)) return;
  const stable = new Set<string>();
  if (Array.isArray(upstream.backends)) {
    for (const b of upstream.backends) {
      const parsed = isObject(b) ? parseBackendUrl(b.url) : undefined;
      if (parsed?.ok) stable.add(parsed.value);
    }
  }
  const seen = new Map<string, number>();
  canary.backends.forEach((b, i) => {
    const parsed = isObject(b) ? parseBackendUrl(b.url) : undefined;
    if (!parsed?.ok || !isObject(b)) return;
    const at = formatPath([...path, "backends", i, "url"]);
    if (stable.has(parsed.value)) {
      problems.push({
        path: at,
        message: `${show(b.url)} is also a stable backend; a backend is on one side`,
      });
    }
    const first = seen.get(parsed.value);
    if (first !== undefined) {
      problems.push({
        path: at,
        message: `duplicate backend ${show(b.url)}: same origin as canary.backends[${first}]`,
      });
    } else seen.set(parsed.value, i);
  });
}

function checkRoutes(
  routes: unknown,
  upstreams: Record<string, unknown> | undefined,
  problems: ConfigProblem[],
): void {
  const names = upstreams ? Object.keys(upstreams) : [];
  if (routes === undefined) {
    if (names.length > 1) {
      problems.push({
        path: "routes",
        message: `is required when there is more than one upstream (${names.join(", ")})`,
      });
    }
    return;
  }
  if (!Array.isArray(routes)) return;
  if (routes.length === 0) {
    problems.push({
      path: "routes",
      message: "must list at least 1 route (omit routes to send everything to a single upstream)",
    });
  }
  const firstIndexByMatch = new Map<string, number>();
  routes.forEach((route, i) => {
    if (!isObject(route)) return;
    if (upstreams && typeof route.upstream === "string" && !Object.hasOwn(upstreams, route.upstream)) {
      problems.push({
        path: formatPath(["routes", i, "upstream"]),
        message: `unknown upstream ${show(route.upstream)}; known upstreams: ${names.join(", ")}`,
      });
    }
    const match = route.match === undefined ? {} : route.match;
    if (!isObject(match)) return;
    const host = typeof match.host === "string" ? match.host.trim().toLowerCase() : "";
    const prefix = typeof match.pathPrefix === "string" ? match.pathPrefix : DEFAULT_PATH_PREFIX;
    const key = `${host} ${prefix}`;
    const first = firstIndexByMatch.get(key);
    if (first === undefined) firstIndexByMatch.set(key, i);
    else {
      problems.push({
        path: formatPath(["routes", i, "match"]),
        message: `same host and pathPrefix as routes[${first}]; this route would never match`,
      });
    }
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
