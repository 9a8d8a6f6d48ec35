#!/usr/bin/env bash
# Starts, stops and reports the real services the integration tests use, all on 127.0.0.1 with fixed
# non-default ports (see docs/services.md):
#   kafka 19092 (controller 19093), etcd 12379 (peer 12380), prometheus 19090, alertmanager 19094
#   (only when named), jaeger (scripts/jaeger.sh).
# Usage: scripts/services.sh up|down|status [kafka|etcd|prometheus|alertmanager|jaeger ...]
# No names means kafka etcd prometheus. `up` is idempotent and safe to run from parallel test files.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES_DIR="${TRACEWAY_SERVICES_DIR:-$ROOT/.services}"
CACHE_DIR="${TRACEWAY_CACHE_DIR:-$ROOT/.cache}"
LOCK_SECONDS=300

# shellcheck source=lib/common.sh
source "$ROOT/scripts/lib/common.sh"
# shellcheck source=lib/kafka.sh
source "$ROOT/scripts/lib/kafka.sh"
# shellcheck source=lib/etcd.sh
source "$ROOT/scripts/lib/etcd.sh"
# shellcheck source=lib/prometheus.sh
source "$ROOT/scripts/lib/prometheus.sh"
# shellcheck source=lib/alertmanager.sh
source "$ROOT/scripts/lib/alertmanager.sh"

usage() {
  echo "usage: $0 up|down|status [kafka|etcd|prometheus|alertmanager|jaeger ...]" >&2
  exit 2
}

# Jaeger lives in its own script; this one only forwards to it.
jaeger_cmd() {
  local script="$ROOT/scripts/jaeger.sh"
  if [[ ! -f "$script" ]]; then
    mkdir -p "$SERVICES_DIR/jaeger"
    fail jaeger "$1" "scripts/jaeger.sh does not exist (jaeger is managed there)" nolog
  fi
  # The lock descriptor must not leak into a daemon that jaeger.sh starts.
  bash "$script" "$1" 9>&- || fail jaeger "$1" "scripts/jaeger.sh $1 exited with status $?" nolog
}
jaeger_up() { jaeger_cmd up; }
jaeger_down() { jaeger_cmd down; }
# jaeger.sh exits 3 for "down", which is an answer here like the other services' status lines.
jaeger_status() {
  local code=0
  bash "$ROOT/scripts/jaeger.sh" status 9>&- || code=$?
  ((code == 0 || code == 3)) || fail jaeger status "scripts/jaeger.sh status exited with status $code" nolog
}

main() {
  [[ $# -ge 1 ]] || usage
  local action="$1"
  shift
  case "$action" in
    up | down | status) ;;
    *) usage ;;
  esac
  local names=("$@")
  ((${#names[@]})) || names=(kafka etcd prometheus)
  local name
  for name in "${names[@]}"; do
    case "$name" in
      kafka | etcd | prometheus | alertmanager | jaeger) ;;
      *) echo "unknown service '$name' (known: kafka etcd prometheus alertmanager jaeger)" >&2 && exit 2 ;;
    esac
  done

  mkdir -p "$SERVICES_DIR" "$CACHE_DIR"
  if [[ "$action" != status ]]; then
    # Parallel test files all call `up`; the first one starts, the others wait here and then reuse.
    exec 9>"$SERVICES_DIR/lock"
    flock -w "$LOCK_SECONDS" 9 || {
      echo "[services] FAILED: could not lock $SERVICES_DIR/lock within ${LOCK_SECONDS} s" >&2
      exit 1
    }
  fi

  local started=$SECONDS
  for name in "${names[@]}"; do
    "${name}_${action}"
  done
  [[ "$action" == status ]] || log "$action ${names[*]}: done in $((SECONDS - started)) s"
}

main "$@"
