/** The Elastic Common Schema release the `ecs` log layout follows (written as `ecs.version`). */
export const ECS_VERSION = "9.4.0";

/**
 * Every name ECS 9.4.0 maps as an object at the root of an event: its field sets and `labels`.
 * A flat log field with one of these names (`"url": "http://…"`) is rejected by Elasticsearch
 * under Filebeat's ECS template, so the `json` layout never writes one as is (see log-layout-json.ts).
 * test/unit/telemetry/ecs-field-sets.test.ts holds this list to the ECS fixture.
 */
export const ECS_ROOT_OBJECTS: ReadonlySet<string> = new Set([
  "agent",
  "client",
  "cloud",
  "container",
  "data_stream",
  "destination",
  "device",
  "dll",
  "dns",
  "ecs",
  "email",
  "entity",
  "error",
  "event",
  "faas",
  "file",
  "gen_ai",
  "group",
  "host",
  "http",
  "labels",
  "log",
  "network",
  "observer",
  "orchestrator",
  "organization",
  "package",
  "process",
  "registry",
  "related",
  "rule",
  "server",
  "service",
  "source",
  "span",
  "threat",
  "tls",
  "trace",
  "transaction",
  "url",
  "user",
  "user_agent",
  "volume",
  "vulnerability",
]);
