#!/usr/bin/env bash
# Brings a fresh machine to where `npm start` and `npm test` run: Node dependencies, every
# real part (daprd, Kafka, RabbitMQ, PostgreSQL + FerretDB, Chromium, the Kubernetes
# tools), cached outside the repo under ~/.cache/eventmart, and the TypeScript build.
# Idempotent: on a warm machine it checks and returns in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
# --for start: only what `npm start` runs; --for test (the default): everything the tests use.
quiet=false
purpose=test
while [ $# -gt 0 ]; do
  case "$1" in
    --quiet) quiet=true ;;
    --for) purpose="$2"; shift ;;
    *) echo "setup.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
parts="daprd ferretdb kafka rabbitmq"
[ "$purpose" = test ] && parts="$parts chromium k8s-tools"
started=$(date +%s)
say() { $quiet || printf '\033[1m%s\033[0m\n' "$*" >&2; }

say "eventmart setup"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing Node dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

# Jaeger is a long Go build (minutes, cold) that needs nothing else: it runs beside the other
# parts, whose downloads and package installs leave the cores idle much of the time (the
# cluster's image build waits for it on the script's lock).
jaeger_log=$(mktemp)
jaeger_started=$(date +%s)
bash scripts/toolchain/jaeger.sh >/dev/null 2>"$jaeger_log" &
jaeger_pid=$!

for part in $parts; do
  script="scripts/toolchain/$part.sh"
  [ -f "$script" ] || continue
  step_started=$(date +%s)
  bash "$script" >/dev/null
  say "toolchain: $part ready ($(( $(date +%s) - step_started ))s)"
done

if [ "$purpose" = test ]; then
  # The cluster test's parts: Docker, kind, kubectl, skaffold and, where no registry answers,
  # every image built here (the first time about an hour on 2 cores; docs/kubernetes.md).
  step_started=$(date +%s)
  bash scripts/cluster/cluster.sh prepare
  say "toolchain: cluster parts ready ($(( $(date +%s) - step_started ))s)"
fi

if ! wait "$jaeger_pid"; then
  cat "$jaeger_log" >&2
  rm -f "$jaeger_log"
  echo "setup.sh: building Jaeger failed (scripts/toolchain/jaeger.sh)" >&2
  exit 1
fi
rm -f "$jaeger_log"
say "toolchain: jaeger ready ($(( $(date +%s) - jaeger_started ))s, beside the others)"

say "building TypeScript"
npx tsc -b services/*/tsconfig.json scripts/tsconfig.json >&2
say "setup done in $(( $(date +%s) - started ))s"
