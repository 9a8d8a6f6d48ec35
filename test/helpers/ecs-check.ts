import { ECS_FIELD_TYPES, ECS_ROOT_OBJECTS, type EcsType } from "../fixtures/ecs/ecs-fields.ts";

/** Every path that ECS maps as an object: the roots, declared objects, and parents of declared fields. */
const OBJECTS = new Set<string>(ECS_ROOT_OBJECTS);
for (const [field, type] of Object.entries(ECS_FIELD_TYPES)) {
  if (type === "object") OBJECTS.add(field);
  const parts = field.split(".");
  for (let i = 1; i < parts.length; i++) OBJECTS.add(parts.slice(0, i).join("."));
}

/** Not ECS, not traceway's: OpenTelemetry's name for the W3C flags in non-OTLP logs, shared by every service. */
const OTEL_LOG_FIELDS = new Set(["trace_flags"]);

const ISO_8601 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

function fits(type: EcsType, value: unknown): boolean {
  switch (type) {
    case "date":
      return typeof value === "string" && ISO_8601.test(value) && !Number.isNaN(Date.parse(value));
    case "long":
      return Number.isSafeInteger(value);
    case "keyword":
    case "match_only_text":
    case "wildcard":
      return typeof value === "string";
    case "object":
      return false; // leaves are never objects
  }
}

/**
 * Dotted keys as Filebeat's `expand_keys` (and Elasticsearch) read them: `{"a.b": 1}` is `{a: {b: 1}}`.
 * A key that is both a value and a parent (`"a": 1, "a.b": 2`) is a problem.
 */
export function expandKeys(line: Record<string, unknown>, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(line)) {
    const parts = key.split(".");
    let node = out;
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1) {
        if (part in node) problems.push(`${key}: written twice`);
        node[part] = value;
        break;
      }
      const next = node[part];
      if (next === undefined) node = node[part] = {};
      else if (typeof next === "object" && next !== null && !Array.isArray(next))
        node = next as Record<string, unknown>;
      else {
        problems.push(`${parts.slice(0, i + 1).join(".")}: a value and an object at once`);
        break;
      }
    }
  }
  return out;
}

/** [path, value] of every leaf; array elements are leaves of the array's path, as in Elasticsearch. */
function leaves(node: unknown, path: string, out: [string, unknown][]): void {
  if (Array.isArray(node)) for (const item of node) leaves(item, path, out);
  else if (typeof node === "object" && node !== null)
    for (const [k, v] of Object.entries(node)) leaves(v, path === "" ? k : `${path}.${k}`, out);
  else out.push([path, node]);
}

/**
 * Why Elasticsearch with ECS mappings (Filebeat's template) would reject or mis-map this line, or
 * nothing. `ecs`: every field is an ECS field of the right type, a custom field under
 * `traceway.`, or OpenTelemetry's `trace_flags`. `json`: no field is an ECS object, and fields that are ECS fields have its type.
 */
export function ecsProblems(line: Record<string, unknown>, layout: "json" | "ecs"): string[] {
  const problems: string[] = [];
  const found: [string, unknown][] = [];
  leaves(expandKeys(line, problems), "", found);
  for (const [path, value] of found) {
    const parts = path.split(".");
    const scalarParent = parts
      .slice(1)
      .map((_, i) => parts.slice(0, i + 1).join("."))
      .find((prefix) => ECS_FIELD_TYPES[prefix] !== undefined && ECS_FIELD_TYPES[prefix] !== "object");
    if (scalarParent !== undefined) {
      problems.push(`${path}: ECS maps ${scalarParent} as ${ECS_FIELD_TYPES[scalarParent]}, not an object`);
      continue;
    }
    const type = ECS_FIELD_TYPES[path];
    if (type !== undefined) {
      if (!fits(type, value)) problems.push(`${path}: ${JSON.stringify(value)} is not an ECS ${type}`);
    } else if (OBJECTS.has(path)) {
      problems.push(`${path}: ECS maps it as an object, the line has ${JSON.stringify(value)}`);
    } else if (ECS_ROOT_OBJECTS.includes(parts[0]!)) {
      problems.push(`${path}: under the ECS field set ${parts[0]} but not in the fixture`);
    } else if (layout === "ecs" && parts[0] !== "traceway" && !OTEL_LOG_FIELDS.has(path)) {
      problems.push(`${path}: a custom field outside traceway.*`);
    }
  }
  return problems;
}
