import type { Logger } from "pino";
import type { ConfigSource, LoadedConfig } from "../config/load.ts";

/** What `traceway --config` runs: one balancer process, or a multi-worker instance's primary. */
export interface Served {
  readonly logger: Logger;
  /** Apply a validated config (its text too: a primary hands that to its workers). */
  reload(next: LoadedConfig & { readonly source: ConfigSource }): Promise<void>;
  /** A file that was refused, for whatever shows reloads live (the admin API's event feed). */
  rejected?(problems: readonly string[]): void;
}
