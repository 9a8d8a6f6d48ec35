/**
 * How traceway talks to etcd, beyond what the config sets. Not config keys: together they make the
 * promise docs/discovery.md states (a silently dead connection is noticed within 15 s, an
 * unreachable etcd costs no CPU), and tests hold the production values to it.
 */

/**
 * gRPC keepalive: a ping after 6 s without one, the connection dropped when its ack takes 5 s. A
 * dead path is noticed within 11 s. etcd refuses pings more often than every 5 s
 * (`--grpc-keepalive-min-time`) with GOAWAY "too_many_pings", hence 6 and not less.
 */
export const ETCD_KEEPALIVE_TIME_MS = 6000;
export const ETCD_KEEPALIVE_TIMEOUT_MS = 5000;

/**
 * Watch liveness above the transport: after 5 s without any response the watch sends a progress
 * request (etcd 3.4+), and a watch that does not answer it within 5 s is dropped and listed again.
 * This catches a stream that etcd stopped serving while pings still pass (the silent watches of
 * Traefik #566 and APISIX #13067), and keeps "seconds since last sync" current on a quiet prefix.
 */
export const ETCD_PROGRESS_INTERVAL_MS = 5000;
export const ETCD_PROGRESS_TIMEOUT_MS = 5000;

/** A list may take `dialTimeout` to connect plus this to answer (etcdctl's --command-timeout is 5 s). */
export const ETCD_REQUEST_TIMEOUT_MS = 5000;

/** Reconnect backoff: 0.5 s doubling to 10 s, with jitter (see backoff.ts). */
export const ETCD_BACKOFF_BASE_MS = 500;
export const ETCD_BACKOFF_MAX_MS = 10_000;

/** Large prefixes list in one response; gRPC's default 4 MiB cap is about 20 000 registrations. */
export const ETCD_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
