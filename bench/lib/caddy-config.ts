/**
 * Caddy as a peer, configured as deployed: round-robin over the backends with keep-alive, the
 * same active health check as HAProxy's (GET /small every 1 s), and Prometheus metrics on
 * (`servers { metrics }`, served by the admin API at `/metrics`; Caddy 2.6 made them opt-in).
 * Automatic HTTPS is off: the bench is plain HTTP on loopback. Caddy uses every core (GOMAXPROCS).
 */
export function caddyfile(port: number, adminPort: number, backendPorts: readonly number[]): string {
  const upstreams = backendPorts.map((p) => `127.0.0.1:${p}`).join(" ");
  return `{
	admin 127.0.0.1:${adminPort}
	auto_https off
	servers {
		metrics
	}
}

http://127.0.0.1:${port} {
	bind 127.0.0.1
	reverse_proxy ${upstreams} {
		lb_policy round_robin
		health_uri /small
		health_interval 1s
		transport http {
			keepalive 300s
			keepalive_idle_conns 64
			keepalive_idle_conns_per_host 64
		}
	}
}
`;
}
