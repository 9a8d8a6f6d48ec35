/** nginx's own temp paths, moved under the instance dir so nothing is written to /var/lib/nginx. */
function tempPaths(dir: string): string {
  return ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((kind) => `  ${kind}_temp_path ${dir}/tmp-${kind};`)
    .join("\n");
}

function head(dir: string, workers = 1): string {
  return `worker_processes ${workers};
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log stderr warn;
worker_rlimit_nofile 20000;
events { worker_connections 20000; }`;
}

/**
 * A backend: one master, one worker, static bodies by sendfile, keep-alive that never closes the
 * proxies' pooled connections (keepalive_requests defaults to 1000 since nginx 1.19.10).
 * `/paced` serves the small body at a fixed PACED_RPS: limit_req with a burst and no `nodelay`
 * queues the excess instead of refusing it, so the server, not the load generator, sets the pace.
 */
/** The rate nginx serves `/paced` at. */
export const PACED_RPS = 4000;

export function backendConfig(dir: string, port: number, wwwDir: string): string {
  return `${head(dir)}
http {
  access_log off;
${tempPaths(dir)}
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  default_type application/octet-stream;
  open_file_cache max=16 inactive=300s;
  limit_req_zone $server_port zone=paced:1m rate=${PACED_RPS}r/s;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    root ${wwwDir};
    location = /paced {
      limit_req zone=paced burst=100000;
      alias ${wwwDir}/small;
    }
  }
}
`;
}

/**
 * A sink for the Kafka bridge bench: every request, POSTs included, gets `200 ok` (static files
 * refuse POST). Same worker and keep-alive settings as the backends.
 */
export function sinkConfig(dir: string, port: number): string {
  return `${head(dir)}
http {
  access_log off;
${tempPaths(dir)}
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / { return 200 ok; }
  }
}
`;
}

/**
 * The nginx target: `workers` worker processes (1 unless the workers section asks for 2), upstream keepalive 64 with HTTP/1.1 and the Connection header
 * cleared (what the nginx docs prescribe for upstream keep-alive). proxy_buffering is off so the 1 MB
 * body streams like it does through the Node proxies instead of going through temp files.
 */
export function proxyConfig(dir: string, port: number, backendPorts: readonly number[], workers = 1): string {
  const servers = backendPorts.map((p) => `    server 127.0.0.1:${p};`).join("\n");
  return `${head(dir, workers)}
http {
  access_log off;
${tempPaths(dir)}
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  upstream bench {
${servers}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      proxy_pass http://bench;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`;
}

/**
 * HAProxy: one thread, connection reuse always, round-robin, the usual HTTP health check so a dead
 * server is taken out (as deployed; nginx has only passive checks). Idle client connections are kept
 * for 300 s like the other targets so the idle-RSS measurement holds them all. maxconn 10500 wants
 * ~21k descriptors; `no strict-limits` lets HAProxy start under a 20k hard limit anyway (idle client
 * connections need one descriptor each, not two).
 */
export function haproxyConfig(port: number, backendPorts: readonly number[]): string {
  const servers = backendPorts
    .map((p, i) => `  server b${i + 1} 127.0.0.1:${p} check inter 1s fall 2 rise 2`)
    .join("\n");
  return `global
  nbthread 1
  maxconn 10500
  no strict-limits
defaults
  mode http
  timeout connect 2s
  timeout client 300s
  timeout server 60s
  timeout http-keep-alive 300s
  option http-keep-alive
  http-reuse always
  retries 2
  option redispatch 1
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  balance roundrobin
  option httpchk GET /small
${servers}
`;
}
