# shellcheck shell=bash
# Alertmanager from Debian's prometheus-alertmanager package (which ships amtool). Sourced by
# scripts/services.sh. Only `npm run stack` starts it (the tests' shared services do not alert), with
# its config in TRACEWAY_ALERTMANAGER_CONFIG; the default routes everything to a receiver with no
# webhook, which is valid and delivers nothing.

ALERTMANAGER_PORT="${TRACEWAY_ALERTMANAGER_PORT:-19094}"
ALERTMANAGER_CONFIG="${TRACEWAY_ALERTMANAGER_CONFIG:-$ROOT/scripts/alertmanager/alertmanager.yml}"
ALERTMANAGER_MARKER="--web.listen-address=127.0.0.1:$ALERTMANAGER_PORT"
ALERTMANAGER_READY_SECONDS=30

alertmanager_ready() {
  curl -fsS --max-time 2 "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready" >/dev/null
}

alertmanager_start() {
  local dir="$SERVICES_DIR/alertmanager"
  mkdir -p "$dir/data"
  # The notification log of an earlier run: were a page in it still "firing" (the stack went down
  # before the alert resolved), the same alert's next page would be held back for its repeat_interval.
  # Silences are kept.
  rm -f "$dir/data/nflog"
  ensure_debian alertmanager "prometheus-alertmanager amtool" prometheus-alertmanager
  cp "$ALERTMANAGER_CONFIG" "$dir/alertmanager.yml"
  amtool check-config "$dir/alertmanager.yml" >>"$dir/alertmanager.log" 2>&1 ||
    fail alertmanager "amtool check-config" "invalid $ALERTMANAGER_CONFIG"
  log "alertmanager: starting on 127.0.0.1:$ALERTMANAGER_PORT"
  # An empty cluster address turns off the HA gossip listener (:9094 on every interface otherwise).
  start_detached alertmanager prometheus-alertmanager "$ALERTMANAGER_MARKER" \
    --config.file="$dir/alertmanager.yml" \
    --storage.path="$dir/data" \
    --cluster.listen-address= \
    --web.external-url="http://127.0.0.1:$ALERTMANAGER_PORT/"
}

alertmanager_up() {
  service_up alertmanager "$ALERTMANAGER_MARKER" "$ALERTMANAGER_READY_SECONDS" "wait for /-/ready" \
    alertmanager_ready alertmanager_start "$ALERTMANAGER_PORT"
}

alertmanager_down() { stop_service alertmanager "$ALERTMANAGER_MARKER" 20; }
alertmanager_status() { print_status alertmanager "$ALERTMANAGER_MARKER" "$ALERTMANAGER_PORT"; }
