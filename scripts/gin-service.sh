#!/usr/bin/env bash
# Builds the example Go service examples/gin-service (docs/gin-service.md) into the git-ignored cache.
# Usage: scripts/gin-service.sh build|path|ensure-go|ci
#   build      compile $TRACEWAY_CACHE_DIR/gin-service/gin-service unless the sources' content hash is
#              the one it was built from (then it returns at once); prints the binary's path
#   path       print the binary's path (does not build)
#   ensure-go  make a Go toolchain >= go.mod's `go` line available, installing one when missing
#   ci         ensure-go, then build (.ci/run's step)
# Go's own module and build caches (~/go/pkg/mod, ~/.cache/go-build) are used, as for Jaeger: they
# survive `rm -rf .cache` and fresh clones, so a changed source rebuilds in seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${TRACEWAY_CACHE_DIR:-$ROOT/.cache}"
SRC="$ROOT/examples/gin-service"
OUT_DIR="$CACHE_DIR/gin-service"
BIN="$OUT_DIR/gin-service"
STAMP="$OUT_DIR/gin-service.sha256"
BUILD_SECONDS=1200
LOCK_SECONDS=1500
# Served by the Go module proxy as golang.org/toolchain; the go command fetches it itself when the
# local Go is older than go.mod asks (GOTOOLCHAIN=<this>).
PINNED_TOOLCHAIN=go1.26.8
# Debian bookworm's own golang is 1.19, too old even to fetch a toolchain; backports has 1.23.
BACKPORTS_GO=golang-1.23-go
BACKPORTS_GOROOT=/usr/lib/go-1.23

log() { printf '[gin-service] %s\n' "$*" >&2; }
die() {
  printf '[gin-service] FAILED: %s\n' "$*" >&2
  exit 1
}

# The `go 1.N[.P]` line of go.mod: the oldest toolchain that may build the module.
required_go() { awk '$1 == "go" { print $2; exit }' "$SRC/go.mod"; }

# "go1.26.8" -> "1.26.8"; prints nothing for a binary that is not a working go.
go_version_of() { "$1" env GOVERSION 2>/dev/null | sed 's/^go//'; }

# True when version $1 >= version $2 (dotted numbers).
version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]; }

# Prints the first go binary found: $GO, PATH, the official tarball's place, Debian's versioned ones.
find_go() {
  local candidate
  for candidate in "${GO:-}" "$(command -v go || true)" /usr/local/go/bin/go "$BACKPORTS_GOROOT/bin/go"; do
    if [[ -n "$candidate" && -x "$candidate" && -n "$(go_version_of "$candidate")" ]]; then
      printf '%s' "$candidate"
      return 0
    fi
  done
  return 1
}

# Sets GO_BIN and GO_TOOLCHAIN (the GOTOOLCHAIN value builds use): local when the found Go is new
# enough, else the pinned toolchain, which Go >= 1.21 downloads from the module proxy by itself.
select_go() {
  GO_BIN="$(find_go)" || die "no Go toolchain found (run: $0 ensure-go)"
  local have need
  have="$(go_version_of "$GO_BIN")"
  need="$(required_go)"
  if version_ge "$have" "$need"; then
    GO_TOOLCHAIN=local
  elif version_ge "$have" 1.21; then
    GO_TOOLCHAIN="$PINNED_TOOLCHAIN"
  else
    die "$GO_BIN is Go $have: too old to fetch Go $need (run: $0 ensure-go)"
  fi
}

install_backports_go() {
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  local list=/etc/apt/sources.list.d/traceway-bookworm-backports.list
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding Debian bookworm-backports to apt sources ($list)"
    echo 'deb http://deb.debian.org/debian bookworm-backports main' | "${sudo[@]}" tee "$list" >/dev/null
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq -t bookworm-backports "$BACKPORTS_GO"
}

# A Go >= go.mod's line at /usr/local/go (where this project's scripts and the Jaeger build look):
# kept when present; else Debian backports' Go fetches the pinned toolchain, which is copied there.
ensure_go() {
  local need have
  need="$(required_go)"
  if GO_BIN="$(find_go)" && version_ge "$(go_version_of "$GO_BIN")" "$need"; then
    log "Go $(go_version_of "$GO_BIN") at $GO_BIN (go.mod needs $need)"
    return 0
  fi
  if ! GO_BIN="$(find_go)" || ! version_ge "$(go_version_of "$GO_BIN")" 1.21; then
    log "installing $BACKPORTS_GO from Debian bookworm-backports"
    install_backports_go
    GO_BIN="$BACKPORTS_GOROOT/bin/go"
  fi
  have="$(go_version_of "$GO_BIN")"
  log "Go $have at $GO_BIN is older than $need: fetching $PINNED_TOOLCHAIN through the Go module proxy"
  local goroot target="${TRACEWAY_GO_INSTALL_DIR:-/usr/local/go}"
  goroot="$(GOTOOLCHAIN="$PINNED_TOOLCHAIN" "$GO_BIN" env GOROOT)" || die "GOTOOLCHAIN=$PINNED_TOOLCHAIN go env GOROOT failed"
  rm -rf "$target.new"
  cp -a "$goroot" "$target.new"
  chmod -R u+w "$target.new"
  rm -rf "$target"
  mv "$target.new" "$target"
  log "installed $("$target/bin/go" version) at $target"
}

# Content hash of everything the binary is made from, plus the toolchain that makes it.
source_hash() {
  {
    (cd "$SRC" && find . -maxdepth 1 -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) ! -name '*_test.go' -print0 |
      sort -z | xargs -0 sha256sum)
    echo "toolchain $GO_TOOLCHAIN $(go_version_of "$GO_BIN")"
  } | sha256sum | cut -d' ' -f1
}

build() {
  select_go
  mkdir -p "$OUT_DIR"
  # Parallel test files may all call build: the first compiles, the rest wait here and find it done.
  exec 9>"$OUT_DIR/lock"
  flock -w "$LOCK_SECONDS" 9 || die "could not lock $OUT_DIR/lock within $LOCK_SECONDS s"
  local hash started=$SECONDS
  hash="$(source_hash)"
  if [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$hash" ]]; then
    printf '%s\n' "$BIN"
    return 0
  fi
  local build_log="$OUT_DIR/build.log"
  log "building $BIN with $("$GO_BIN" version | cut -d' ' -f3) (GOTOOLCHAIN=$GO_TOOLCHAIN; log $build_log)"
  # CGO off: the SQLite driver is pure Go, so no C compiler is needed and the binary is static.
  if ! (cd "$SRC" && CGO_ENABLED=0 GOTOOLCHAIN="$GO_TOOLCHAIN" GOWORK=off GOFLAGS="-buildvcs=false -mod=readonly" \
    timeout "$BUILD_SECONDS" "$GO_BIN" build -trimpath -ldflags='-s -w' -o "$BIN.tmp.$$" .) >"$build_log" 2>&1; then
    rm -f "$BIN.tmp.$$"
    printf '[gin-service] FAILED: go build (last lines of %s):\n' "$build_log" >&2
    tail -n 40 "$build_log" | sed 's/^/    | /' >&2
    exit 1
  fi
  # Renamed only when complete, so an interrupted build never leaves a binary the stamp vouches for.
  mv -f "$BIN.tmp.$$" "$BIN"
  printf '%s\n' "$hash" >"$STAMP"
  log "built in $((SECONDS - started)) s"
  printf '%s\n' "$BIN"
}

main() {
  case "${1:-}" in
    build) build ;;
    path) printf '%s\n' "$BIN" ;;
    ensure-go) ensure_go ;;
    ci)
      ensure_go
      build >/dev/null
      ;;
    *)
      echo "usage: $0 build|path|ensure-go|ci" >&2
      exit 2
      ;;
  esac
}

main "$@"
