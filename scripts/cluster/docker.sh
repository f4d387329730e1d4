#!/usr/bin/env bash
# A Docker engine for kind. Uses the one the shell already reaches (DOCKER_HOST or the default
# socket); otherwise installs Debian's docker.io and starts a dockerd of the project's own (its
# own socket, data and exec roots, so it stays apart from anything else on the host) and
# leaves it running for the next command. Prints the line to eval: export DOCKER_HOST=...
#
#   eval "$(bash scripts/cluster/docker.sh)"          start if needed
#   bash scripts/cluster/docker.sh --stop             stop the engine this script started
source "$(dirname "$0")/../toolchain/lib.sh"
STATE=${EVENTMART_DOCKER_STATE:-/var/lib/eventmart/docker}
RUN=/run/eventmart
SOCKET=unix://$RUN/docker.sock
LOG=$STATE/dockerd.log

if [ "${1:-}" = --stop ]; then
  [ -f "$RUN/docker.pid" ] || exit 0
  pid=$(cat "$RUN/docker.pid")
  kill "$pid" 2>/dev/null || exit 0
  for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.5; done
  fail "dockerd ($pid) did not stop in 30 s"
fi

reachable() { DOCKER_HOST=$1 timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# Someone else's engine (Docker Desktop, a system dockerd) is fine as it is...
if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "$SOCKET" ] && reachable "$DOCKER_HOST"; then
  echo "export DOCKER_HOST=$DOCKER_HOST"
  exit 0
fi
if [ -z "${DOCKER_HOST:-}" ] && [ -S /var/run/docker.sock ] && reachable unix:///var/run/docker.sock; then
  echo "export DOCKER_HOST=unix:///var/run/docker.sock"
  exit 0
fi
# ...and ours, when it is already up.
if reachable "$SOCKET"; then
  echo "export DOCKER_HOST=$SOCKET"
  exit 0
fi

command -v docker >/dev/null && command -v dockerd >/dev/null && command -v iptables >/dev/null ||
  apt_install docker.io iptables
[ "$(id -u)" = 0 ] || fail "starting dockerd needs root; start a Docker engine yourself and set DOCKER_HOST"
mkdir -p "$STATE" "$RUN"

# kind's node runs privileged, which asks for every capability. Where the host's bounding set
# lacks one, runc cannot start such a container: register the wrapper that leaves those out.
runtime_config=""
if grep -q '^CapBnd:' /proc/self/status && [ "$(python3 -c "print(int('$(awk '/^CapBnd:/ {print $2}' /proc/self/status)', 16) & (1 << 24))")" = 0 ]; then
  step "this host lacks CAP_SYS_RESOURCE: privileged containers run through scripts/cluster/runc-wrapper"
  install -m 0755 "$REPO_ROOT/scripts/cluster/runc-wrapper" "$STATE/runc-wrapper"
  runtime_config='"runtimes": {"eventmart-runc": {"path": "'"$STATE/runc-wrapper"'"}}, "default-runtime": "eventmart-runc",'
fi
cat >"$STATE/daemon.json" <<JSON
{
  $runtime_config
  "data-root": "$STATE/data",
  "exec-root": "$RUN/exec",
  "pidfile": "$RUN/docker.pid",
  "hosts": ["$SOCKET"],
  "storage-driver": "overlay2",
  "log-driver": "json-file",
  "log-opts": {"max-size": "10m", "max-file": "2"}
}
JSON

step "starting dockerd (data in $STATE, log $LOG)"
# Its own containerd too (dockerd starts one under exec-root), detached from this shell.
setsid dockerd --config-file "$STATE/daemon.json" >>"$LOG" 2>&1 </dev/null &
for _ in $(seq 60); do
  reachable "$SOCKET" && { echo "export DOCKER_HOST=$SOCKET"; exit 0; }
  kill -0 $! 2>/dev/null || break
  sleep 0.5
done
tail -n 20 "$LOG" >&2
fail "dockerd did not come up (log above, whole log in $LOG). Does this machine allow containers (root, cgroups, overlayfs)?"
