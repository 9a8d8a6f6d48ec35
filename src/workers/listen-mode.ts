/**
 * Whether workers bind the port themselves with SO_REUSEPORT. Node ≥ 22.12 passes `reusePort` to
 * libuv on the platforms whose kernels balance connections across such sockets; there each worker
 * accepts its own connections and the primary never touches traffic. Elsewhere (macOS, Windows)
 * the `node:cluster` primary owns the listening socket and hands connections to the workers
 * round-robin, which costs the primary a handle transfer per connection (keep-alive makes that
 * rare). The list is Node's own (`server.listen` docs: Linux 3.9+, DragonFlyBSD 3.6+, FreeBSD
 * 12.0+, Solaris 11.4, AIX 7.2.5+).
 */
export function reusePortSupported(platform: NodeJS.Platform = process.platform): boolean {
  return REUSEPORT_PLATFORMS.has(platform) && nodeAtLeast(22, 12);
}

const REUSEPORT_PLATFORMS: ReadonlySet<NodeJS.Platform> = new Set(["linux", "freebsd", "sunos", "aix"]);

function nodeAtLeast(major: number, minor: number): boolean {
  const [maj = 0, min = 0] = process.versions.node.split(".").map(Number);
  return maj > major || (maj === major && min >= minor);
}
