#!/usr/bin/env bash
# Builds Jaeger v2 from its Go module and runs it on 127.0.0.1 for the integration tests (docs/jaeger.md).
#   OTLP gRPC 14317, OTLP HTTP 14318, query HTTP 16687 (/api/v3 and UI), query gRPC 16688, health 14133.
# Usage: scripts/jaeger.sh build|up|down|status
#   build   compile .cache/jaeger/<version>/jaeger unless it exists (first time: several minutes)
#   up      build if needed, start with scripts/jaeger/config.yaml (memory storage); idempotent
#   down    stop the pid we started (SIGTERM, then SIGKILL after a deadline)
#   status  print whether it runs; exit 0 when up, 3 when not
# scripts/services.sh forwards `up|down|status jaeger` here.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES_DIR="${TRACEWAY_SERVICES_DIR:-$ROOT/.services}"
CACHE_DIR="${TRACEWAY_CACHE_DIR:-$ROOT/.cache}"

# shellcheck source=lib/common.sh
source "$ROOT/scripts/lib/common.sh"

BUILD_DIR="$ROOT/scripts/jaeger/build"
# npm run stack runs a second Jaeger with its own config and ports (TRACEWAY_JAEGER_*; docs/stack.md).
CONFIG="${TRACEWAY_JAEGER_CONFIG:-scripts/jaeger/config.yaml}"
# The version lives only in the build module's go.mod, so bumping it there also moves the binary path.
JAEGER_VERSION="$(awk '$1 == "require" && $2 == "github.com/jaegertracing/jaeger" { print $3 }' "$BUILD_DIR/go.mod")"
BIN="$CACHE_DIR/jaeger/$JAEGER_VERSION/jaeger"
DIR="$SERVICES_DIR/jaeger"

OTLP_GRPC_PORT="${TRACEWAY_JAEGER_OTLP_GRPC_PORT:-14317}"
OTLP_HTTP_PORT="${TRACEWAY_JAEGER_OTLP_HTTP_PORT:-14318}"
QUERY_HTTP_PORT="${TRACEWAY_JAEGER_QUERY_HTTP_PORT:-16687}"
QUERY_GRPC_PORT="${TRACEWAY_JAEGER_QUERY_GRPC_PORT:-16688}"
HEALTH_PORT="${TRACEWAY_JAEGER_HEALTH_PORT:-14133}"
# Every traceway checkout starts jaeger with its own scripts/jaeger/config.yaml: that tail of the
# path marks a jaeger of ours, so one started from another checkout (a CI clone) is reused, like
# the other services, instead of being reported as a port clash.
MARKER="$CONFIG"
BUILD_SECONDS=1800
READY_SECONDS=60
STOP_SECONDS=10
LOCK_SECONDS=2100

# Ready means: the query API answers and both OTLP receivers accept connections.
jaeger_ready() {
  curl -fsS --max-time 2 "http://127.0.0.1:$QUERY_HTTP_PORT/api/v3/services" >/dev/null &&
    port_open "$OTLP_HTTP_PORT" && port_open "$OTLP_GRPC_PORT"
}

jaeger_build() {
  if [[ -x "$BIN" ]]; then
    log "jaeger: $BIN already built ($JAEGER_VERSION)"
    return 0
  fi
  [[ -n "$JAEGER_VERSION" ]] || fail jaeger build "no 'require github.com/jaegertracing/jaeger' line in $BUILD_DIR/go.mod" nolog
  # /usr/local/go is where the official tarball (and this project's machines) put Go; a bare PATH in a
  # CI step may not name it.
  local go
  go="$(command -v go || echo /usr/local/go/bin/go)"
  [[ -x "$go" ]] || fail jaeger build "go is neither on PATH nor at $go (Go >= 1.24.6 builds Jaeger $JAEGER_VERSION)" nolog
  mkdir -p "$DIR" "$(dirname "$BIN")"
  local build_log="$DIR/build.log" started=$SECONDS
  log "jaeger: building $JAEGER_VERSION with $("$go" version | cut -d' ' -f3) (first build: several minutes; log $build_log)"
  # Go's own module and build caches (per user, outside the checkout) are used on purpose: they survive
  # `rm -rf .cache` and fresh clones (CI clones anew on the same machine), so a rebuild there is a
  # matter of seconds instead of a cold build (about 6 minutes on 2 cores). GOTOOLCHAIN=local stops go from fetching the
  # toolchain Jaeger's go.mod names; GOWORK=off ignores stray go.work files.
  local ldflags="-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=$JAEGER_VERSION"
  if ! (
    cd "$BUILD_DIR" &&
      GOFLAGS=-buildvcs=false GOTOOLCHAIN=local GOWORK=off \
        timeout "$BUILD_SECONDS" "$go" build -trimpath -ldflags="$ldflags" -o "$BIN.tmp.$$" \
        github.com/jaegertracing/jaeger/cmd/jaeger
  ) >"$build_log" 2>&1; then
    rm -f "$BIN.tmp.$$"
    {
      printf '\n[services] FAILED: jaeger: build: go build exited non-zero (or passed %s s); last lines of %s:\n' \
        "$BUILD_SECONDS" "$build_log"
      tail -n 40 "$build_log" | sed 's/^/    | /'
    } >&2
    exit 1
  fi
  # Renamed only when complete, so an interrupted build never leaves a binary that `up` would trust.
  mv -f "$BIN.tmp.$$" "$BIN"
  log "jaeger: built $BIN in $((SECONDS - started)) s"
}

jaeger_start() {
  jaeger_build
  log "jaeger: starting $JAEGER_VERSION (OTLP 127.0.0.1:$OTLP_GRPC_PORT/$OTLP_HTTP_PORT, query 127.0.0.1:$QUERY_HTTP_PORT)"
  start_detached jaeger "$BIN" --config "$CONFIG"
}

# service_up checks every port before calling jaeger_start, so a clash fails before a long build.
jaeger_up() {
  service_up jaeger "$MARKER" "$READY_SECONDS" "wait for query API and OTLP ports" jaeger_ready jaeger_start \
    "$QUERY_HTTP_PORT" "$OTLP_GRPC_PORT" "$OTLP_HTTP_PORT" "$QUERY_GRPC_PORT" "$HEALTH_PORT"
}

jaeger_status() {
  print_status jaeger "$MARKER" "$QUERY_HTTP_PORT"
  live_pid jaeger "$MARKER" >/dev/null && jaeger_ready || return 3
}

main() {
  [[ $# -eq 1 ]] || {
    echo "usage: $0 build|up|down|status" >&2
    exit 2
  }
  mkdir -p "$DIR"
  case "$1" in
    status)
      jaeger_status
      return
      ;;
    build | up | down) ;;
    *)
      echo "usage: $0 build|up|down|status" >&2
      exit 2
      ;;
  esac
  # Parallel test files may all run `up`: the first builds and starts, the rest wait here and reuse.
  # Descriptor 9 because start_detached closes exactly that one, so the daemon never inherits (and
  # holds) this lock; scripts/services.sh closes its own descriptor 9 before calling us.
  exec 9>"$DIR/lock"
  flock -w "$LOCK_SECONDS" 9 || fail jaeger lock "could not lock $DIR/lock within $LOCK_SECONDS s" nolog
  case "$1" in
    build) jaeger_build ;;
    up) jaeger_up ;;
    down) stop_service jaeger "$MARKER" "$STOP_SECONDS" ;;
  esac
}

main "$@"
