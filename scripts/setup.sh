#!/usr/bin/env bash
# Brings a fresh machine to where `npm start` and `npm test` run: Node dependencies, every
# real part (daprd, Kafka, RabbitMQ, PostgreSQL + FerretDB, Chromium, the Kubernetes
# tools), cached outside the repo under ~/.cache/eventmart, and the TypeScript build.
# Idempotent: on a warm machine it checks and returns in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=false
[ "${1:-}" = "--quiet" ] && quiet=true
started=$(date +%s)
say() { $quiet || printf '\033[1m%s\033[0m\n' "$*" >&2; }

say "eventmart setup"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing Node dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

for part in daprd ferretdb kafka rabbitmq chromium k8s-tools; do
  script="scripts/toolchain/$part.sh"
  [ -f "$script" ] || continue
  say "toolchain: $part"
  bash "$script" >/dev/null
done

say "building TypeScript"
npx tsc -b services/*/tsconfig.json scripts/tsconfig.json >&2
say "setup done in $(( $(date +%s) - started ))s"
