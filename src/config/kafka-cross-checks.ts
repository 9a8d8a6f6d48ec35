import {
  DEFAULT_BRIDGE_BACKOFF_MS,
  DEFAULT_BRIDGE_GROUP_PREFIX,
  DEFAULT_BRIDGE_MAX_BACKOFF_MS,
} from "./defaults.ts";
import { parseDuration } from "./duration.ts";
import { formatPath, type ConfigProblem } from "./format-problems.ts";
import { show } from "./parsed.ts";

/**
 * Rules of the `kafka` section that relate values: a bridge names a configured upstream, names
 * and group ids are unique, a dead-letter topic is not one of the bridge's sources (its dead
 * letters would come straight back), backoff ≤ maxBackoff, and `*` stands alone in lag.groups.
 * Like crossCheck, it skips anything the schema already reports.
 */
export function checkKafka(
  kafka: unknown,
  upstreams: Record<string, unknown> | undefined,
  problems: ConfigProblem[],
): void {
  if (!isObject(kafka)) return;
  if (Array.isArray(kafka.bridges)) checkBridges(kafka.bridges, upstreams, problems);
  const groups = isObject(kafka.lag) ? kafka.lag.groups : undefined;
  if (Array.isArray(groups) && groups.includes("*") && groups.length > 1) {
    problems.push({
      path: "kafka.lag.groups",
      message: `"*" already means every group; list names or "*", not both`,
    });
  }
}

function checkBridges(
  bridges: unknown[],
  upstreams: Record<string, unknown> | undefined,
  problems: ConfigProblem[],
): void {
  const known = upstreams ? Object.keys(upstreams) : [];
  const firstByName = new Map<string, number>();
  const firstByGroup = new Map<string, number>();
  bridges.forEach((bridge, i) => {
    if (!isObject(bridge)) return;
    const at = (...keys: PropertyKey[]): string => formatPath(["kafka", "bridges", i, ...keys]);
    const name = typeof bridge.name === "string" ? bridge.name : undefined;
    if (name !== undefined) {
      const first = firstByName.get(name);
      if (first === undefined) firstByName.set(name, i);
      else
        problems.push({
          path: at("name"),
          message: `duplicate bridge name ${show(name)} (bridges[${first}])`,
        });
    }
    const group =
      typeof bridge.groupId === "string" ? bridge.groupId : name && DEFAULT_BRIDGE_GROUP_PREFIX + name;
    if (group) {
      const first = firstByGroup.get(group);
      if (first === undefined) firstByGroup.set(group, i);
      else {
        problems.push({
          path: at("groupId"),
          message: `group ${show(group)} is also bridges[${first}]'s: two bridges in one group would split its partitions`,
        });
      }
    }
    if (upstreams && typeof bridge.upstream === "string" && !Object.hasOwn(upstreams, bridge.upstream)) {
      problems.push({
        path: at("upstream"),
        message: `unknown upstream ${show(bridge.upstream)}; known upstreams: ${known.join(", ")}`,
      });
    }
    const dlq = bridge.deadLetterTopic;
    if (typeof dlq === "string" && Array.isArray(bridge.topics) && bridge.topics.includes(dlq)) {
      problems.push({
        path: at("deadLetterTopic"),
        message: `${show(dlq)} is one of this bridge's topics: its dead letters would be dispatched again`,
      });
    }
    if (isObject(bridge.retry)) checkBackoff(bridge.retry, at("retry", "maxBackoff"), problems);
  });
}

function checkBackoff(retry: Record<string, unknown>, path: string, problems: ConfigProblem[]): void {
  const backoff = retry.backoff === undefined ? undefined : parseDuration(retry.backoff);
  const max = retry.maxBackoff === undefined ? undefined : parseDuration(retry.maxBackoff);
  if ((backoff && !backoff.ok) || (max && !max.ok)) return;
  const backoffMs = backoff?.value ?? DEFAULT_BRIDGE_BACKOFF_MS;
  const maxMs = max?.value ?? DEFAULT_BRIDGE_MAX_BACKOFF_MS;
  if (maxMs < backoffMs) {
    problems.push({ path, message: `${maxMs}ms is shorter than retry.backoff (${backoffMs}ms)` });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
