import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { ESLint, type Linter } from "eslint";
import tseslint from "typescript-eslint";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures", "import-boundaries");
const project = new ESLint({ cwd: ROOT });

/**
 * Lints `fixture` with the import-boundary rule exactly as eslint.config.js configures it for
 * `pretendPath`, and returns each complaint as `line: message start`.
 */
async function lintAs(fixture: string, pretendPath: string): Promise<string[]> {
  const config = (await project.calculateConfigForFile(join(ROOT, pretendPath))) as Linter.Config;
  const rule = config.rules?.["no-restricted-imports"];
  assert.ok(rule, `eslint.config.js sets no-restricted-imports for ${pretendPath}`);
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    ignore: false,
    overrideConfig: [
      {
        files: ["**/*.ts"],
        languageOptions: { parser: tseslint.parser },
        rules: { "no-restricted-imports": rule },
      },
    ],
  });
  const [result] = await eslint.lintFiles([join(FIXTURES, fixture)]);
  return (result?.messages ?? []).map((m) => `${m.line}: ${m.message.split(":")[0]}`);
}

void test("a module importing from further down the chain fails lint", async () => {
  assert.deepEqual(await lintAs("pool-imports-strategy.ts", "src/pool/weights.ts"), [
    "2: '../strategies/strategy.ts' import is restricted from being used by a pattern. pool sits below health, strategies, upstream, canary, proxy, server, admin, kafka, telemetry, run, workers, demo, load, cli, index in the chain (see CHAIN in eslint.config.js)",
  ]);
  assert.deepEqual(await lintAs("health-imports-proxy.ts", "src/health/outcomes.ts"), [
    "2: '../../upstream/upstream.ts' import is restricted from being used by a pattern. health sits below strategies, upstream, canary, proxy, server, admin, kafka, telemetry, run, workers, demo, load, cli, index in the chain (see CHAIN in eslint.config.js)",
    "3: '../proxy/error-classify.ts' import is restricted from being used by a pattern. health sits below strategies, upstream, canary, proxy, server, admin, kafka, telemetry, run, workers, demo, load, cli, index in the chain (see CHAIN in eslint.config.js)",
  ]);
});

void test("interceptors/ importing from src/ fails lint", async () => {
  assert.deepEqual(await lintAs("interceptor-imports-src.ts", "interceptors/http/timing.ts"), [
    "2: '../../src/shared/clock.ts' import is restricted from being used by a pattern. interceptors/ stands alone (it is published as traceway/interceptors)",
  ]);
});

void test("src/ importing an interceptor file other than the entry fails lint", async () => {
  assert.deepEqual(await lintAs("telemetry-imports-interceptor-file.ts", "src/telemetry/calls.ts"), [
    "2: '../../interceptors/http/client-call.ts' import is restricted from being used by a pattern. src/ reaches interceptors/ only through interceptors/balancer-entry.ts.",
  ]);
});

void test("imports down the chain, and of the interceptors' entry, pass", async () => {
  assert.deepEqual(await lintAs("proxy-imports-down-the-chain.ts", "src/proxy/transports/example.ts"), []);
});

void test("a sibling file named like a later layer is not that layer", async () => {
  assert.deepEqual(
    await lintAs("config-imports-sibling-named-like-a-layer.ts", "src/config/check-config.ts"),
    [],
  );
});
