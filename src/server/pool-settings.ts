import type { TracewayConfig, UpstreamConfig } from "../config/types.ts";

/**
 * Upstreams whose backends' connection pools a reload must rebuild: the pool limits
 * (`keepAlive`) or the connect timeout (undici's pools carry it) changed. Everything else an
 * upstream sets is read per request.
 */
export function upstreamsWithNewPoolSettings(previous: TracewayConfig, next: TracewayConfig): string[] {
  const changed: string[] = [];
  for (const [name, now] of next.upstreams) {
    const was = previous.upstreams.get(name);
    if (was !== undefined && !samePoolSettings(was, now)) changed.push(name);
  }
  return changed;
}

function samePoolSettings(a: UpstreamConfig, b: UpstreamConfig): boolean {
  return (
    a.keepAlive.maxSockets === b.keepAlive.maxSockets &&
    a.keepAlive.maxFreeSockets === b.keepAlive.maxFreeSockets &&
    a.timeouts.connectMs === b.timeouts.connectMs
  );
}
