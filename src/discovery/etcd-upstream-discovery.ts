import type { Etcd3 } from "etcd3";
import type { Logger } from "pino";
import type { EtcdDiscoveryConfig } from "../config/types.ts";
import { systemClock, type Clock, type Random } from "../shared/clock.ts";
import type { DiscoveryObserver, DiscoverySource } from "./discovery-observer.ts";
import { CacheFileWriter, readCacheFile } from "./etcd-cache-file.ts";
import { createEtcdClient, readTlsFiles } from "./etcd-client.ts";
import { etcdPrefixSource, type PrefixSource } from "./etcd-prefix-source.ts";
import { EtcdPrefixWatcher, type PrefixEntry } from "./etcd-prefix-watcher.ts";
import { EtcdSyncState } from "./etcd-sync-state.ts";
import { parseEtcdValue, type DiscoveredBackend } from "./etcd-value.ts";

export interface EtcdUpstreamDeps {
  readonly logger: Logger;
  readonly observer: DiscoveryObserver;
  readonly clock?: Clock;
  readonly random?: Random;
  /** Replaces the etcd3 client built from the config (tests that count calls). */
  readonly source?: PrefixSource;
}

/** One upstream's etcd discovery, running. */
export interface EtcdUpstreamDiscovery {
  /** Lists made so far: 1 at start, +1 per recovery. */
  readonly lists: number;
  readonly stale: boolean;
  stop(): Promise<void>;
}

/**
 * Discovers one upstream's backends under one etcd prefix and reports each full set through
 * `onSet`, one backend per origin. Resolves once there is a first set: etcd's, or, when etcd does
 * not answer, the cache file's, or none (the upstream then answers 503 until etcd does).
 */
export async function startEtcdUpstreamDiscovery(
  upstream: string,
  config: EtcdDiscoveryConfig,
  deps: EtcdUpstreamDeps,
  onSet: (backends: readonly DiscoveredBackend[]) => void,
): Promise<EtcdUpstreamDiscovery> {
  const { logger, observer } = deps;
  const { source, client } = await connect(upstream, config, deps);
  const sync = new EtcdSyncState({
    upstream,
    prefix: config.prefix,
    observer,
    logger,
    clock: deps.clock ?? systemClock,
  });
  const cache = cacheWriter(upstream, config, logger);
  let current = 0;
  let fromEtcd = false;
  const apply = (backends: readonly DiscoveredBackend[], from: DiscoverySource): void => {
    const specs = uniqueOrigins(backends);
    current = specs.length;
    try {
      onSet(specs);
    } catch (error) {
      // The watch must go on whatever the receiver does with a set; the next set is another chance.
      logger.error({ upstream, err: error }, "etcd discovery: the backend set was not applied");
      return;
    }
    observer.onUpdate({ upstream, source: from, backends: specs.length });
  };

  const watcher = new EtcdPrefixWatcher(
    source,
    {
      prefix: config.prefix,
      decode: (value) => parseEtcdValue(config.format, value),
      ...(deps.random ? { random: deps.random } : {}),
    },
    {
      onSnapshot: (entries: readonly PrefixEntry<DiscoveredBackend>[]) => {
        fromEtcd = true;
        const backends = entries.map((e) => e.value);
        apply(backends, "etcd");
        cache?.write(backends);
      },
      onSynced: () => sync.synced(),
      onFailure: (failure) => sync.failed(failure, current),
      onMalformed: (key, reason) => {
        observer.onMalformed({ upstream, source: "etcd" });
        logger.warn({ upstream, key, reason }, "etcd discovery: skipped a malformed value");
      },
    },
  );
  await watcher.start();
  if (!fromEtcd) await startWithoutEtcd(upstream, config, logger, () => fromEtcd, apply);

  return {
    get lists() {
      return watcher.lists;
    },
    get stale() {
      return sync.stale;
    },
    async stop() {
      await watcher.stop();
      await cache?.flush();
      client?.close();
    },
  };
}

/** The etcd client the config describes, unless the caller brought a source of its own. */
async function connect(
  upstream: string,
  config: EtcdDiscoveryConfig,
  deps: EtcdUpstreamDeps,
): Promise<{ source: PrefixSource; client: Etcd3 | undefined }> {
  if (deps.source !== undefined) return { source: deps.source, client: undefined };
  const keyPath = `upstreams.${upstream}.discovery.etcd`;
  const client = createEtcdClient({
    endpoints: config.endpoints,
    auth: config.auth,
    tls:
      config.tls === undefined
        ? undefined
        : await readTlsFiles(config.tls, (field) => `${keyPath}.tls.${field}`),
    dialTimeoutMs: config.dialTimeoutMs,
  });
  return { source: etcdPrefixSource(client), client };
}

function cacheWriter(
  upstream: string,
  config: EtcdDiscoveryConfig,
  logger: Logger,
): CacheFileWriter | undefined {
  const file = config.cacheFile;
  if (file === undefined) return undefined;
  return new CacheFileWriter(file, config.prefix, (error) =>
    logger.warn({ upstream, err: error, cache_file: file }, "etcd discovery: cannot write cacheFile"),
  );
}

/** etcd did not answer the first list: serve the cache file's set, or none. */
async function startWithoutEtcd(
  upstream: string,
  config: EtcdDiscoveryConfig,
  logger: Logger,
  etcdAnswered: () => boolean,
  apply: (backends: readonly DiscoveredBackend[], from: DiscoverySource) => void,
): Promise<void> {
  const fields = { upstream, prefix: config.prefix, cacheFile: config.cacheFile };
  if (config.cacheFile === undefined) {
    logger.warn(
      fields,
      "etcd discovery: etcd unreachable at start-up and no cacheFile; no backends until it answers",
    );
    apply([], "etcd");
    return;
  }
  const cached = await readCacheFile(config.cacheFile, config.prefix);
  // etcd may have answered while the file was read: its set is newer.
  if (etcdAnswered()) return;
  if (cached.ok) {
    logger.warn(
      { ...fields, backends: cached.backends.length, savedAt: cached.savedAt },
      "etcd discovery: etcd unreachable at start-up; serving the cached set until it answers",
    );
    apply(cached.backends, "cache");
  } else {
    logger.warn(
      { ...fields, reason: cached.reason },
      "etcd discovery: etcd unreachable at start-up and the cacheFile is unusable; no backends until etcd answers",
    );
    apply([], "etcd");
  }
}

/**
 * Backend sets as the pool takes them: one entry per origin (a service restarted with a new lease
 * can briefly hold two keys with the same address), the first key in key order winning.
 */
function uniqueOrigins(backends: readonly DiscoveredBackend[]): DiscoveredBackend[] {
  const seen = new Set<string>();
  const unique: DiscoveredBackend[] = [];
  for (const b of backends) {
    if (seen.has(b.url)) continue;
    seen.add(b.url);
    unique.push(b);
  }
  return unique;
}
