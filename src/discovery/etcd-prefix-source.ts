import type { Etcd3 } from "etcd3";
import type { WatchStream } from "./etcd-watch-session.ts";

/** One key under the prefix, as a list returned it. */
export interface ListedKey {
  readonly key: string;
  readonly value: Buffer;
  readonly modRevision: number;
}

/** Every key under a prefix at one revision. */
export interface Listing {
  readonly revision: number;
  readonly kvs: readonly ListedKey[];
}

/** The two etcd calls a prefix watcher makes: list the prefix, and open a watch stream. */
export interface PrefixSource {
  list(prefix: string): Promise<Listing>;
  openWatchStream(): Promise<WatchStream>;
}

/**
 * A {@link PrefixSource} on an `etcd3` client. Lists are linearizable (etcd's default), so a
 * member cut off from its cluster cannot answer with an old set. The watch stream is etcd3's raw
 * gRPC stream rather than its `Watcher`: that one resumes from its last revision by itself instead
 * of listing again, hides the compact revision of a cancelled watch, and throws on a progress
 * response (watch id -1) because no watcher of that id exists.
 */
export function etcdPrefixSource(client: Etcd3): PrefixSource {
  return {
    async list(prefix) {
      const response = await client.getAll().prefix(prefix).exec();
      return {
        revision: Number(response.header.revision),
        kvs: response.kvs.map((kv) => ({
          key: kv.key.toString("utf8"),
          value: kv.value,
          modRevision: Number(kv.mod_revision),
        })),
      };
    },
    openWatchStream: () => client.watchClient.watch(),
  };
}
