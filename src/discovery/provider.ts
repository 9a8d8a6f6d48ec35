import type { BackendSpec } from "../pool/backend.ts";

/**
 * Where backends come from. A provider reports the *full* backend set of an upstream whenever
 * it changes; the pool reconciles (unchanged origins keep their health state). The config file
 * is one provider; etcd (lease/TTL registration + prefix watch) and the admin API are the next,
 * with the same standing.
 */
export interface DiscoveryProvider {
  /** A short name for logs (`static`, `etcd`, ...). */
  readonly name: string;
  /** Starts reporting; `onChange` may be called synchronously with the initial sets. */
  start(onChange: (upstream: string, backends: readonly BackendSpec[]) => void): Promise<void>;
  stop(): Promise<void>;
}
