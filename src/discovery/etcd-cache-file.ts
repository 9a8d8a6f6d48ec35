import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { show } from "../config/parsed.ts";
import { parseEtcdValue, type DiscoveredBackend } from "./etcd-value.ts";

/** The file's shape; `version` lets a later traceway read an older file or refuse it clearly. */
interface CacheFileContents {
  readonly version: 1;
  readonly prefix: string;
  readonly savedAt: string;
  readonly backends: readonly DiscoveredBackend[];
}

export type CacheRead =
  | { readonly ok: true; readonly backends: readonly DiscoveredBackend[]; readonly savedAt: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads the last known set of `prefix`. Never throws: a missing, unreadable or foreign file is a
 * reason to start without it, and every backend in it is checked like an etcd value.
 */
export async function readCacheFile(file: string, prefix: string): Promise<CacheRead> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return {
      ok: false,
      reason: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    };
  }
  let contents: Partial<CacheFileContents>;
  try {
    contents = JSON.parse(text) as Partial<CacheFileContents>;
  } catch {
    return { ok: false, reason: `${file} is not JSON` };
  }
  if (contents.version !== 1 || !Array.isArray(contents.backends)) {
    return { ok: false, reason: `${file} is not a traceway discovery cache (version 1)` };
  }
  if (contents.prefix !== prefix) {
    return { ok: false, reason: `${file} holds prefix ${show(contents.prefix)}, not ${show(prefix)}` };
  }
  const backends: DiscoveredBackend[] = [];
  for (const [i, backend] of contents.backends.entries()) {
    const parsed = parseEtcdValue("traceway", JSON.stringify(backend));
    if (!parsed.ok) return { ok: false, reason: `${file}: backends[${i}]: ${parsed.message}` };
    backends.push(parsed.value);
  }
  return { ok: true, backends, savedAt: String(contents.savedAt) };
}

/**
 * Keeps the cache file equal to the latest set. Writes are atomic (a temporary file renamed over
 * the old one, so a crash never leaves half a file) and coalesced: during churn only the newest set
 * is written once the previous write finished, never a queue of outdated ones.
 */
export class CacheFileWriter {
  readonly #file: string;
  readonly #prefix: string;
  readonly #onError: (error: unknown) => void;
  #pending: readonly DiscoveredBackend[] | undefined;
  #writing: Promise<void> | undefined;

  constructor(file: string, prefix: string, onError: (error: unknown) => void) {
    this.#file = file;
    this.#prefix = prefix;
    this.#onError = onError;
  }

  write(backends: readonly DiscoveredBackend[]): void {
    this.#pending = backends;
    this.#writing ??= this.#drain();
  }

  /** Resolves when the newest set is on disk. */
  async flush(): Promise<void> {
    await this.#writing;
  }

  async #drain(): Promise<void> {
    while (this.#pending !== undefined) {
      const backends = this.#pending;
      this.#pending = undefined;
      const contents: CacheFileContents = {
        version: 1,
        prefix: this.#prefix,
        savedAt: new Date().toISOString(),
        backends,
      };
      const temporary = `${this.#file}.${process.pid}.tmp`;
      try {
        await mkdir(dirname(this.#file), { recursive: true });
        await writeFile(temporary, `${JSON.stringify(contents, null, 2)}\n`);
        await rename(temporary, this.#file);
      } catch (error) {
        this.#onError(error);
      }
    }
    this.#writing = undefined;
  }
}
