# shellcheck shell=bash
# etcd single member from Debian's etcd-server package. Sourced by scripts/services.sh.

# Ports may be moved (npm run stack runs a second, private member; docs/stack.md).
ETCD_PORT="${TRACEWAY_ETCD_PORT:-12379}"
ETCD_PEER_PORT="${TRACEWAY_ETCD_PEER_PORT:-12380}"
ETCD_MARKER="--name traceway"
ETCD_READY_SECONDS=30

etcd_ready() {
  curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'
}

etcd_start() {
  local dir="$SERVICES_DIR/etcd"
  ensure_debian etcd "etcd etcdctl" etcd-server etcd-client
  log "etcd: starting on 127.0.0.1:$ETCD_PORT (peer $ETCD_PEER_PORT)"
  start_detached etcd etcd --name traceway --data-dir "$dir/data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "traceway=http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster-state new
}

etcd_up() {
  service_up etcd "$ETCD_MARKER" "$ETCD_READY_SECONDS" "wait for /health" etcd_ready etcd_start \
    "$ETCD_PORT" "$ETCD_PEER_PORT"
}

etcd_down() { stop_service etcd "$ETCD_MARKER" 20; }
etcd_status() { print_status etcd "$ETCD_MARKER" "$ETCD_PORT"; }
