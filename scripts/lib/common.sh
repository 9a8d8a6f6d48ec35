# shellcheck shell=bash
# Shared helpers for scripts/services.sh: logging, failure reports, pid files, port probes and
# process start/stop. Sourced, never run; expects ROOT and SERVICES_DIR to be set.

log() { printf '[services] %s\n' "$*" >&2; }

# Prints what a person needs to fix a failed step (which step, the log file and its tail) and exits.
# Usage: fail <service> <step> <message> [nolog]   (nolog: the log predates this run, so skip its tail)
fail() {
  local name="$1" step="$2" message="$3" nolog="${4:-}"
  local logfile="$SERVICES_DIR/$name/$name.log"
  {
    printf '\n[services] FAILED: %s: %s: %s\n' "$name" "$step" "$message"
    if [[ -n "$nolog" ]]; then
      :
    elif [[ -s "$logfile" ]]; then
      printf '[services] log file: %s (last 40 lines)\n' "$logfile"
      tail -n 40 "$logfile" | sed 's/^/    | /'
    else
      printf '[services] log file: %s (empty or missing)\n' "$logfile"
    fi
  } >&2
  exit 1
}

# True when something accepts TCP connections on 127.0.0.1:<port>.
port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Who listens on a port, for error messages ("port 19092 taken by ...").
port_owner() {
  ss -ltnpH "( sport = :$1 )" 2>/dev/null || true
}

pid_file() { printf '%s/%s/pid' "$SERVICES_DIR" "$1"; }

# Prints the pid recorded for a service when that process is still alive and is still the program we
# started (its command line contains <marker>), so a recycled pid is never mistaken for our service.
# Usage: live_pid <service> <marker>
live_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  printf '%s' "$pid"
}

# Starts a long-running program detached from the caller (own session, stdin closed, output to the
# service log, the lock descriptor closed so the daemon never holds .services/lock) and records its pid.
# Usage: start_detached <service> <command...>
start_detached() {
  local name="$1"
  shift
  local dir="$SERVICES_DIR/$name"
  local file
  file="$(pid_file "$name")"
  rm -f "$file"
  # The wrapper writes its own pid and then execs, so the recorded pid is the service itself.
  # shellcheck disable=SC2016 # $$ and $@ must expand in the wrapper, not here.
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$file" "$@" \
    >>"$dir/$name.log" 2>&1 </dev/null 9>&- &
  local deadline=$((SECONDS + 10))
  until [[ -s "$file" ]]; do
    ((SECONDS < deadline)) || fail "$name" start "no pid file $file after 10 s"
    sleep 0.1
  done
}

# Polls <check command...> every 0.5 s until it succeeds, process <pid> dies, or <seconds> pass.
# Usage: wait_ready <service> <pid> <seconds> <what> <check command...>
wait_ready() {
  local name="$1" pid="$2" seconds="$3" what="$4"
  shift 4
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || fail "$name" "$what" "process $pid exited before it was ready"
    ((SECONDS < deadline)) || fail "$name" "$what" "pid $pid not ready after ${seconds} s"
    sleep 0.5
  done
}

# Prints the pid listening on 127.0.0.1:<port> when it is this kind of service (command line contains
# <marker>) but not recorded in our pid file: one started from another checkout of the project, or one
# whose .services folder was deleted.
# Usage: foreign_pid <port> <marker>
foreign_pid() {
  local pid
  pid="$(port_owner "$1" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)"
  [[ -n "$pid" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  printf '%s' "$pid"
}

# Refuses to start when a port we need is held by a process we did not start.
# Usage: require_free_port <service> <port> <marker>
require_free_port() {
  port_open "$2" || return 0
  local hint="" pid
  if pid="$(foreign_pid "$2" "$3")"; then
    hint=" (a $1 not recorded in $(pid_file "$1"): started from another checkout, or its .services folder was deleted; if it is stale, stop it with: kill $pid)"
  fi
  fail "$1" "port check" "port 127.0.0.1:$2 is already taken by: $(port_owner "$2")$hint" nolog
}

# The common life cycle of `up`: reuse our running service, else reuse the same service started from
# elsewhere (never ours to stop), else check the ports, start it with <start function> and wait until
# <ready function> succeeds.
# Usage: service_up <service> <marker> <seconds> <what> <ready function> <start function> <ports...>
service_up() {
  local name="$1" marker="$2" seconds="$3" what="$4" ready="$5" start="$6"
  shift 6
  local pid port
  mkdir -p "$SERVICES_DIR/$name"
  if pid="$(live_pid "$name" "$marker")"; then
    wait_ready "$name" "$pid" "$seconds" "$what" "$ready"
    log "$name: already running, reused (pid $pid, port $1)"
    return 0
  fi
  if pid="$(foreign_pid "$1" "$marker")"; then
    wait_ready "$name" "$pid" "$seconds" "$what" "$ready"
    log "$name: reused pid $pid on port $1, started outside $SERVICES_DIR (down will not stop it)"
    return 0
  fi
  for port in "$@"; do
    require_free_port "$name" "$port" "$marker"
  done
  "$start"
  pid="$(cat "$(pid_file "$name")")"
  wait_ready "$name" "$pid" "$seconds" "$what" "$ready"
  log "$name: ready (pid $pid, port $1)"
}

# Sends SIGTERM, waits up to <seconds> for exit, then SIGKILL. Only touches the pid we recorded.
# Usage: stop_service <service> <marker> <seconds>
stop_service() {
  local name="$1" marker="$2" seconds="$3" pid
  if ! pid="$(live_pid "$name" "$marker")"; then
    rm -f "$(pid_file "$name")"
    log "$name: not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "$name: pid $pid still alive after ${seconds} s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$(pid_file "$name")"
  log "$name: stopped (pid $pid)"
}

# Prints one status line: "<name> up pid=<pid> port=<port>" or "<name> down port=<port>".
# Usage: print_status <service> <marker> <port>
print_status() {
  local pid
  if pid="$(live_pid "$1" "$2")" && port_open "$3"; then
    printf '%-11s up   pid=%s port=%s\n' "$1" "$pid" "$3"
  elif [[ -n "${pid:-}" ]]; then
    printf '%-11s starting-or-stuck pid=%s port=%s (port not answering)\n' "$1" "$pid" "$3"
  else
    printf '%-11s down port=%s\n' "$1" "$3"
  fi
}

# Installs Debian packages only when one of the given binaries is missing.
# Usage: ensure_debian <service> "<binaries>" <packages...>
ensure_debian() {
  local name="$1" binaries="$2" missing=0 bin
  shift 2
  for bin in $binaries; do
    command -v "$bin" >/dev/null 2>&1 || missing=1
  done
  ((missing)) || return 0
  log "$name: installing Debian packages: $*"
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >>"$SERVICES_DIR/$name/$name.log" 2>&1 || fail "$name" install "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >>"$SERVICES_DIR/$name/$name.log" 2>&1 ||
    fail "$name" install "apt-get install $* failed"
}
