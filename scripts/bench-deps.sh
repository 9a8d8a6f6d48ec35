#!/usr/bin/env bash
# Installs what `npm run bench` drives, if missing: wrk (load), nginx-light (backends and the nginx
# target), haproxy and caddy (targets). Idempotent: does nothing when all four are on PATH.
# Debian/Ubuntu, root.
set -euo pipefail

declare -A PACKAGE_OF=([wrk]=wrk [nginx]=nginx-light [haproxy]=haproxy [caddy]=caddy)

missing=()
for tool in wrk nginx haproxy caddy; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$tool]}")
done
if ((${#missing[@]} == 0)); then
  echo "[bench-deps] wrk, nginx, haproxy and caddy already installed"
  exit 0
fi

if [[ $EUID -ne 0 ]]; then
  echo "[bench-deps] need root to install: ${missing[*]} (try: sudo $0)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh container has no package lists; an update is only needed when the install cannot find them.
apt-get install -y --no-install-recommends "${missing[@]}" || {
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
}
# Debian may start the packaged nginx/haproxy/caddy on :80; the bench never uses their default ports.
echo "[bench-deps] installed: ${missing[*]}"
