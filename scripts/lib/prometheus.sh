# shellcheck shell=bash
# Prometheus from Debian's prometheus package, scraping targets that tests drop as file_sd JSON files.
# Sourced by scripts/services.sh.

# Port and config may be replaced (npm run stack runs its own Prometheus with the alert rules).
PROMETHEUS_PORT="${TRACEWAY_PROMETHEUS_PORT:-19090}"
PROMETHEUS_CONFIG="${TRACEWAY_PROMETHEUS_CONFIG:-$ROOT/scripts/prometheus/prometheus.yml}"
PROMETHEUS_MARKER="--web.listen-address=127.0.0.1:$PROMETHEUS_PORT"
PROMETHEUS_READY_SECONDS=30

prometheus_ready() {
  curl -fsS --max-time 2 "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null
}

prometheus_start() {
  local dir="$SERVICES_DIR/prometheus"
  mkdir -p "$dir/targets" "$dir/data"
  ensure_debian prometheus "prometheus promtool" prometheus
  # The config sits next to targets/ so its relative file_sd glob resolves there.
  cp "$PROMETHEUS_CONFIG" "$dir/prometheus.yml"
  promtool check config "$dir/prometheus.yml" >>"$dir/prometheus.log" 2>&1 ||
    fail prometheus "promtool check config" "invalid $PROMETHEUS_CONFIG"
  log "prometheus: starting on 127.0.0.1:$PROMETHEUS_PORT"
  start_detached prometheus prometheus "$PROMETHEUS_MARKER" \
    --config.file="$dir/prometheus.yml" \
    --storage.tsdb.path="$dir/data" \
    --storage.tsdb.retention.time=1d \
    --web.enable-lifecycle
}

# A Prometheus reused from another checkout reads its own targets/ folder; test/helpers/services.ts
# asks the running server for its config path, so scrape targets still land in the right place.
prometheus_up() {
  service_up prometheus "$PROMETHEUS_MARKER" "$PROMETHEUS_READY_SECONDS" "wait for /-/ready" \
    prometheus_ready prometheus_start "$PROMETHEUS_PORT"
}

prometheus_down() { stop_service prometheus "$PROMETHEUS_MARKER" 20; }
prometheus_status() { print_status prometheus "$PROMETHEUS_MARKER" "$PROMETHEUS_PORT"; }
