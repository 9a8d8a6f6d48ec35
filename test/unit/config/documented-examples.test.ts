import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as z from "zod";
import { loadConfigFile, parseConfigText } from "../../../src/config/load.ts";
import { configSchema } from "../../../src/config/schema.ts";
import { markdownBlock } from "../../helpers/markdown-block.ts";

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const DOCS = root("docs/configuration.md");
const EXAMPLE = root("examples/traceway.yaml");

test("the complete example in docs/configuration.md loads with no problems and no warnings", () => {
  const text = markdownBlock(DOCS, "## A complete example");
  const { config, warnings } = parseConfigText(text, { env: {}, source: "docs/configuration.md" });
  assert.deepEqual(warnings, []);
  assert.deepEqual([...config.upstreams.keys()], ["api", "static"]);
});

test("examples/traceway.yaml loads with no problems and no warnings", async () => {
  const { config, warnings } = await loadConfigFile(EXAMPLE, { env: {} });
  assert.deepEqual(warnings, []);
  assert.deepEqual([...config.upstreams.keys()], ["api", "web"]);
  assert.equal(config.upstreams.get("web")?.healthCheck.enabled, true);
});

/** Every leaf key path the schema accepts, e.g. `upstreams.<name>.backends[].url`. */
function keyPaths(schema: z.ZodType, prefix: string): string[] {
  if (schema instanceof z.ZodOptional) return keyPaths(schema.unwrap() as z.ZodType, prefix);
  if (schema instanceof z.ZodRecord) return keyPaths(schema.valueType as z.ZodType, `${prefix}.<name>`);
  if (schema instanceof z.ZodArray && schema.element instanceof z.ZodObject) {
    return keyPaths(schema.element, `${prefix}[]`);
  }
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, value]) =>
      keyPaths(value, prefix ? `${prefix}.${key}` : key),
    );
  }
  return [prefix];
}

test("every key the schema accepts is in the docs reference and in examples/traceway.yaml", () => {
  const docs = readFileSync(DOCS, "utf8");
  const example = readFileSync(EXAMPLE, "utf8");
  const paths = keyPaths(configSchema, "");
  assert.ok(paths.length > 40, `only ${paths.length} key paths found`);
  for (const path of paths) {
    const leaf = path.split(".").at(-1)?.replace("[]", "") ?? path;
    // The docs tables name keys by their path relative to their section (`backends[].url`, `retry.on`).
    const tail = path.split(".").slice(-2).join(".").replace("<name>.", "");
    assert.ok(
      docs.includes(`\`${tail}\``) || docs.includes(`\`${leaf}\``),
      `docs/configuration.md lacks ${path}`,
    );
    assert.match(example, new RegExp(`\\b${leaf}:`), `examples/traceway.yaml lacks ${path}`);
  }
});

test("the README's service discovery example loads with no problems and no warnings", () => {
  const text = markdownBlock(root("README.md"), "## Service discovery");
  const { config, warnings } = parseConfigText(text, { env: {}, source: "README.md" });
  assert.deepEqual(warnings, []);
  const api = config.upstreams.get("api");
  assert.equal(api?.discovery?.etcd?.prefix, "/services/api/");
});

test("the README's canary example loads with no problems and no warnings", () => {
  const text = markdownBlock(root("README.md"), "## Canary releases");
  const env = { TRACEWAY_ADMIN_TOKEN: "readme-example-token-0123" };
  const { config, warnings } = parseConfigText(text, { env, source: "README.md" });
  assert.deepEqual(warnings, []);
  const canary = config.upstreams.get("api")?.canary;
  assert.deepEqual(canary?.steps, [5, 25, 50, 100]);
  assert.equal(canary?.failureLimit, 2);
  assert.equal(config.admin?.port, 9901);
});
