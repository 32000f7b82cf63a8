#!/usr/bin/env bash
# A local container engine for the toolchain image, with no registry anywhere.
#
#   containers/engine.sh install   install docker.io, mmdebstrap and zstd when missing (root, apt-get)
#   containers/engine.sh start [--autostop]   use a reachable engine, or start bootcase's own dockerd (root)
#   containers/engine.sh stop      stop bootcase's own dockerd (never a dockerd it did not start)
#   containers/engine.sh stop --if-unused   the same, only if it was started with --autostop and
#                                           no live process holds a lease on it
#   containers/engine.sh status    exit 0 when an engine answers
#   containers/engine.sh env       the environment for docker and testcontainers, as KEY=value lines
#
# `start` and `env` print KEY=value lines on stdout (DOCKER_HOST, BOOTCASE_ENGINE_STARTED, ...);
# everything else goes to stderr. `start` is idempotent: it reuses, in this order, $DOCKER_HOST,
# bootcase's own dockerd, /var/run/docker.sock; only then does it start a dockerd.
#
# bootcase's dockerd keeps all its state under ${BOOTCASE_CACHE:-~/.cache/bootcase}/containers/docker
# (data root, exec root, socket, pid file, log) and leaves the host's networking alone (no
# systemd here, and builds need no network): --bridge=none --iptables=false --ip6tables=false
# --ip-masq=false, and containers run with network none.
# Leases: a process that uses bootcase's dockerd (the build test) writes $ROOT/leases/<its pid>
# first, starts it with --autostop and, when done, removes the lease and runs stop --if-unused:
# the last user stops a dockerd that tests started; one started by hand keeps running. start and
# stop hold $ROOT/engine.lock, so a stop never pulls the engine from under a user that found it.
# Exit codes: 0 ok, 1 error, 3 an engine cannot be started here (not root, no dockerd, ...).
set -euo pipefail

CACHE=${BOOTCASE_CACHE:-$HOME/.cache/bootcase}
ROOT=$CACHE/containers/docker
SOCK=$ROOT/docker.sock
OWN_HOST=unix://$SOCK
PIDFILE=$ROOT/dockerd.pid
LOG=$ROOT/dockerd.log
PACKAGES=(docker.io mmdebstrap zstd)
START_WAIT_S=30

say() { echo "engine: $*" >&2; }
die() { say "$1"; exit "${2:-1}"; }

# Serialise with a concurrent start or stop of bootcase's dockerd (fd 9 holds the lock until exit).
lock() {
  mkdir -p "$ROOT"
  exec 9>"$ROOT/engine.lock"
  flock -w 60 9 || die "timed out waiting for $ROOT/engine.lock"
}

# An engine answers at $1 (a DOCKER_HOST URI)?
ping() {
  command -v docker >/dev/null || return 1
  timeout 10 docker -H "$1" version -f '{{.Server.Version}}' >/dev/null 2>&1
}

own_pid() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  # Only a dockerd that runs with our exec root is ours.
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--exec-root $ROOT/exec" && echo "$pid"
}

# The engine to use, without starting one: prints its DOCKER_HOST URI. An explicit DOCKER_HOST
# (other than bootcase's own socket) is the only candidate: it is never silently replaced.
find_engine() {
  if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "$OWN_HOST" ]; then
    ping "$DOCKER_HOST" && { echo "$DOCKER_HOST"; return 0; }
    say "DOCKER_HOST=$DOCKER_HOST does not answer; unset it to let bootcase use or start its own dockerd"
    return 2
  fi
  ping "$OWN_HOST" && { echo "$OWN_HOST"; return 0; }
  [ -S /var/run/docker.sock ] && ping unix:///var/run/docker.sock && { echo unix:///var/run/docker.sock; return 0; }
  return 1
}

print_env() {
  echo "DOCKER_HOST=$1"
  # No registry is reachable: ryuk (testcontainers' reaper image) cannot be pulled, so it is off
  # and bootcase removes its containers itself (bounded, labelled and swept: harness/build/sweep.ts). /.dockerenv exists on these VMs, which makes
  # testcontainers look for a `bridge` network that --bridge=none does not have: override the host.
  echo "TESTCONTAINERS_RYUK_DISABLED=true"
  echo "TESTCONTAINERS_HOST_OVERRIDE=localhost"
}

cmd_install() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]}; run as root: apt-get install -y ${missing[*]}" 3
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them" 3
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

cmd_start() {
  local host pid rc=0
  lock
  host=$(find_engine) || rc=$?
  ((rc != 2)) || exit 3
  if ((rc == 0)); then
    [ "$host" != "$OWN_HOST" ] || [ "$autostop" = 1 ] || rm -f "$ROOT/autostop"   # wanted by hand now: keep it
    print_env "$host"; echo "BOOTCASE_ENGINE_STARTED=0"; return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "no container engine answers and only root can start dockerd; start one and set DOCKER_HOST" 3
  command -v dockerd >/dev/null || cmd_install
  command -v dockerd >/dev/null || die "dockerd is not installed (Debian package docker.io)" 3
  ((${#OWN_HOST} < 100)) || die "socket path $SOCK is too long for a unix socket; set a shorter BOOTCASE_CACHE" 3

  [ -f "$ROOT/daemon.json" ] || echo '{}' >"$ROOT/daemon.json"   # ignore /etc/docker/daemon.json
  say "starting dockerd (state in $ROOT, log $LOG)"
  # setsid: the daemon outlives this script and the test worker that asked for it.
  setsid dockerd --config-file "$ROOT/daemon.json" --data-root "$ROOT/data" --exec-root "$ROOT/exec" \
    --pidfile "$PIDFILE" -H "$OWN_HOST" \
    --iptables=false --ip6tables=false --ip-masq=false --bridge=none \
    >"$LOG" 2>&1 </dev/null 9>&- &
  pid=$!
  if [ "$autostop" = 1 ]; then : >"$ROOT/autostop"; else rm -f "$ROOT/autostop"; fi
  local i
  for ((i = 0; i < START_WAIT_S * 10; i++)); do
    if ping "$OWN_HOST"; then
      say "dockerd $(docker -H "$OWN_HOST" version -f '{{.Server.Version}}') ready at $SOCK after $((i / 10)).$((i % 10)) s (pid $pid)"
      print_env "$OWN_HOST"; echo "BOOTCASE_ENGINE_STARTED=1"; return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$LOG" >&2; die "dockerd exited during startup (log above, full log $LOG)"; }
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  tail -n 20 "$LOG" >&2
  die "dockerd did not answer on $SOCK within ${START_WAIT_S} s (log above, full log $LOG)"
}

cmd_stop() {
  local pid i f users=()
  lock
  pid=$(own_pid) || { say "bootcase's dockerd is not running"; return 0; }
  if [ "${1:-}" = --if-unused ]; then
    [ -e "$ROOT/autostop" ] || { say "dockerd left running: it was started by hand"; return 0; }
    for f in "$ROOT"/leases/*; do
      [ -e "$f" ] || continue
      if [ -d "/proc/${f##*/}" ]; then users+=("${f##*/}"); else rm -f "$f"; fi   # a dead holder's lease is stale
    done
    ((${#users[@]} == 0)) || { say "dockerd left running: in use by pid ${users[*]}"; return 0; }
  fi
  rm -f "$ROOT/autostop"
  say "stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || { say "dockerd stopped"; return 0; }
    sleep 0.1
  done
  say "dockerd did not stop within 20 s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  install) cmd_install ;;
  start) autostop=0; [ "${2:-}" != --autostop ] || autostop=1; cmd_start ;;
  stop) cmd_stop "${2:-}" ;;
  status) host=$(find_engine) || die "no container engine answers" 3; say "engine at $host" ;;
  env) host=$(find_engine) || die "no container engine answers: run containers/engine.sh start" 3; print_env "$host" ;;
  *) die "usage: containers/engine.sh install|start [--autostop]|stop [--if-unused]|status|env" ;;
esac
