/**
 * The example system's gentle built-in load: a few requests a second through traceway, of mixed routes
 * as a shop's clients would send them, with a small share of client errors (bad orders, unknown ids),
 * and every 30 s a burst of concurrent catalogue reads that briefly fills the instances' connection
 * budget, so traceway's queue is seen at work. Every error it causes is a 4xx: the 5xx alert stays
 * quiet until something really fails. One summary JSON line every 30 s.
 *
 *   node examples/stack/load.ts --target http://127.0.0.1:8080 [--rate 5] [--burst 24]
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";

interface Step {
  readonly weight: number;
  readonly request: (target: string) => { path: string; init: RequestInit };
}

const SKUS = Array.from({ length: 50 }, (_, i) => `sku-${String(i + 1).padStart(3, "0")}`);
const recentOrders: string[] = [];
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** The mix: about 92 % succeed, the rest are 400s and 404s. */
const STEPS: readonly Step[] = [
  { weight: 35, request: () => ({ path: `/api/items?q=${pick(SKUS).slice(-2)}&limit=10`, init: {} }) },
  {
    weight: 30,
    request: () => ({
      path: "/orders",
      init: json({
        sku: pick(SKUS),
        quantity: 1 + Math.floor(Math.random() * 5),
        customer: `c-${Math.floor(Math.random() * 500)}`,
      }),
    }),
  },
  {
    weight: 25,
    request: () => ({
      path: `/orders/${pick(recentOrders.length > 0 ? recentOrders : [randomUUID()])}`,
      init: {},
    }),
  },
  {
    weight: 5,
    request: () => ({ path: "/orders", init: json({ sku: "no-such-sku", quantity: 1, customer: "c-1" }) }),
  },
  { weight: 3, request: () => ({ path: `/orders/${randomUUID()}`, init: {} }) },
  { weight: 2, request: () => ({ path: "/api/items?limit=1000", init: {} }) },
];
const TOTAL_WEIGHT = STEPS.reduce((sum, s) => sum + s.weight, 0);

function chooseStep(): Step {
  let roll = Math.random() * TOTAL_WEIGHT;
  for (const step of STEPS) {
    roll -= step.weight;
    if (roll < 0) return step;
  }
  return STEPS[0] as Step;
}

const counts = new Map<string, number>();
const count = (key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);

async function send(target: string, path: string, init: RequestInit): Promise<void> {
  try {
    const response = await fetch(`${target}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    count(String(response.status));
    if (response.status === 201) {
      const id = (JSON.parse(text) as { id?: string }).id;
      if (id !== undefined) recentOrders.push(id);
      if (recentOrders.length > 200) recentOrders.shift();
    }
  } catch (error) {
    count((error as Error).name === "TimeoutError" ? "timeout" : "error");
  }
}

function summary(): void {
  const line = {
    timestamp: new Date().toISOString(),
    level: "info",
    service_name: "load",
    msg: "last 30 s",
    ...Object.fromEntries(counts),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  counts.clear();
}

function options(): { target: string; rate: number; burst: number } {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { target: { type: "string" }, rate: { type: "string" }, burst: { type: "string" } },
    strict: true,
  });
  const target = values.target ?? "http://127.0.0.1:8080";
  const rate = Number(values.rate ?? "5");
  const burst = Number(values.burst ?? "24");
  if (!/^https?:\/\/[^/]+$/.test(target))
    throw new Error(`--target ${JSON.stringify(target)}: want http://host:port`);
  if (!(rate > 0 && rate <= 100))
    throw new Error(`--rate ${JSON.stringify(values.rate)}: want 0 < rate <= 100 requests/s`);
  if (!Number.isInteger(burst) || burst < 0 || burst > 200)
    throw new Error(`--burst ${JSON.stringify(values.burst)}: want 0..200`);
  return { target, rate, burst };
}

let settings: ReturnType<typeof options>;
try {
  settings = options();
} catch (error) {
  process.stderr.write(`load: ${(error as Error).message}\n`);
  process.exit(2);
}
let running = true;
process.once("SIGTERM", () => (running = false));
process.once("SIGINT", () => (running = false));

const intervalMs = 1000 / settings.rate;
let nextSummary = Date.now() + 30_000;
let nextBurst = Date.now() + 5_000;
const inFlight = new Set<Promise<void>>();
const track = (p: Promise<void>): void => {
  inFlight.add(p);
  void p.finally(() => inFlight.delete(p));
};
while (running) {
  const { path, init } = chooseStep().request(settings.target);
  track(send(settings.target, path, init));
  if (Date.now() >= nextBurst) {
    for (let i = 0; i < settings.burst; i += 1)
      track(send(settings.target, `/api/items?q=${pick(SKUS).slice(-1)}`, {}));
    nextBurst += 30_000;
  }
  if (Date.now() >= nextSummary) {
    summary();
    nextSummary += 30_000;
  }
  // Jittered spacing: clients do not arrive on a metronome.
  await sleep(intervalMs * (0.5 + Math.random()));
}
await Promise.allSettled(inFlight);
summary();
