import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) this reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
  }[];
  /** Node id on top of the stack at each sample. */
  readonly samples: readonly number[];
  /** µs since the previous sample, one per sample. */
  readonly timeDeltas: readonly number[];
}

/**
 * Where a proxy's main thread spends its time, in groups a reader can act on. `idle` and
 * `start-up` are not request work and are left out of the per-request figures.
 */
export const CATEGORIES = [
  "Node core: http server, net, streams, events, timers",
  "socket writes, string ↔ buffer (native)",
  "undici client (JS + llhttp)",
  "telemetry: traceway's interceptors + OpenTelemetry SDK + logs",
  "the proxy's own code (traceway src/, or the peer)",
  "GC",
  "V8 / native, unattributed ((program))",
  "other npm packages",
  "idle",
  "start-up (module loading)",
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Not time spent on requests. */
export const NOT_REQUEST_WORK: ReadonlySet<Category> = new Set(["idle", "start-up (module loading)"]);

const STARTUP =
  /modules\/(cjs|esm)|bootstrap|amaro|package_json|compileSourceTextModule|internalModuleStat|wrapSafe/;
const TELEMETRY =
  /@opentelemetry|protobufjs|node_modules\/(pino|sonic-boom|thread-stream)|\/src\/telemetry\/|\/interceptors\//;
const NATIVE_IO =
  /^(writev|writeBuffer|writeLatin1String|writeUtf8String|writeAsciiString|latin1Slice|utf8Slice|asciiSlice|hexSlice|utf8Write|latin1Write)$/;

/** The category of one stack frame, from its function name and script URL. */
export function categoryOf(frame: { readonly functionName: string; readonly url: string }): Category {
  const { functionName: fn, url } = frame;
  if (fn === "(idle)") return "idle";
  if (fn === "(garbage collector)") return "GC";
  if (fn === "(program)") return "V8 / native, unattributed ((program))";
  if (STARTUP.test(url) || STARTUP.test(fn)) return "start-up (module loading)";
  if (TELEMETRY.test(url)) return "telemetry: traceway's interceptors + OpenTelemetry SDK + logs";
  if (/node_modules\/undici\/|^wasm:/.test(url)) return "undici client (JS + llhttp)";
  if (/\/(dist\/)?src\/|\/bench\/peers\//.test(url) && !url.includes("node_modules"))
    return "the proxy's own code (traceway src/, or the peer)";
  if (url.includes("node_modules")) return "other npm packages";
  if (NATIVE_IO.test(fn)) return "socket writes, string ↔ buffer (native)";
  return "Node core: http server, net, streams, events, timers";
}

/** Sampled time per category, in µs, summed over profiles (one per process: primary and workers). */
export function timeByCategory(profiles: readonly CpuProfile[]): Map<Category, number> {
  const totals = new Map<Category, number>(CATEGORIES.map((c) => [c, 0]));
  for (const profile of profiles) {
    const categoryOfNode = new Map(profile.nodes.map((n) => [n.id, categoryOf(n.callFrame)]));
    profile.samples.forEach((id, i) => {
      const category = categoryOfNode.get(id);
      if (category !== undefined) totals.set(category, totals.get(category)! + (profile.timeDeltas[i] ?? 0));
    });
  }
  return totals;
}

/** Every `.cpuprofile` in a folder (none if the folder does not exist). */
export function readProfiles(dir: string): CpuProfile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".cpuprofile"));
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(join(dir, n), "utf8")) as CpuProfile);
}
