import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { before, test } from "node:test";
import { REPO_ROOT } from "../../helpers/services.ts";
import { durationLine, ensureStack } from "../../helpers/stack.ts";
import type { Stack } from "../../helpers/stack.ts";
import { waitFor } from "../../helpers/wait-for.ts";

// THE dashboard test: with the stack running, every query of every panel of every dashboard under
// dashboards/ returns at least one series from the stack's real Prometheus. No panel is exempt.
interface Panel {
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly refId: string; readonly expr: string }[];
}

let stack: Stack;
const startedMs = Date.now();
before(async () => void (stack = await ensureStack()), { timeout: 1_800_000 });

/** Grafana's variables as "All" selects them; $__rate_interval as Grafana picks it for 5 s scrapes. */
function instantiate(expr: string): string {
  return expr.replaceAll("$__rate_interval", "1m").replace(/\$[a-z_]+/g, ".*");
}

async function seriesCount(expr: string): Promise<number> {
  const response = await fetch(`${stack.prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
  return body.data?.result.length ?? 0;
}

test("every query of every panel of every dashboard returns series from the stack's Prometheus", async (t) => {
  const files = (await readdir(join(REPO_ROOT, "dashboards"))).filter((f) => f.endsWith(".json"));
  assert.ok(files.length >= 4, files.join(", "));
  const queries: { where: string; expr: string }[] = [];
  let panels = 0;
  for (const file of files) {
    const json = JSON.parse(await readFile(join(REPO_ROOT, "dashboards", file), "utf8")) as {
      panels: Panel[];
    };
    for (const panel of json.panels.filter((p) => p.type !== "row")) {
      panels += 1;
      assert.ok((panel.targets ?? []).length > 0, `${file}: "${panel.title}" has queries`);
      for (const target of panel.targets ?? []) {
        queries.push({ where: `${file}: "${panel.title}" ${target.refId}`, expr: instantiate(target.expr) });
      }
    }
  }
  // The stack may have just started: rates need two scrapes, the lag monitor a poll, the load a burst.
  let missing: string[] = [];
  await waitFor(
    async () => {
      missing = [];
      for (const q of queries) if ((await seriesCount(q.expr)) === 0) missing.push(`${q.where}: ${q.expr}`);
      return missing.length === 0;
    },
    { what: "data for every dashboard query", timeoutMs: 150_000, intervalMs: 5000 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\nqueries without data:\n${missing.join("\n")}`);
  });
  t.diagnostic(
    `${panels} panels, ${queries.length} queries in ${files.length} dashboards: every query returned series`,
  );
  t.diagnostic(durationLine("dashboard data", startedMs));
});
