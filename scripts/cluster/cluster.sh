#!/usr/bin/env bash
# The kind cluster `eventmart` (kubectl context kind-eventmart), and everything it needs:
#
#   npm run cluster -- up [--broker kafka|rabbitmq] [--local-images|--upstream-images]
#       brings up what is missing: a Docker engine, kind, kubectl, helm and skaffold, the images,
#       and the cluster. Where no registry can be reached (detected, or --local-images), every
#       image is built on this machine: the kind node (Kubernetes from its Go module), the Dapr
#       control plane, the broker, the database and the Node base image; --broker builds and
#       loads only that broker's (default: both).
#   npm run cluster -- prepare builds and caches all of that except the cluster (setup.sh runs it)
#   npm run cluster -- env     prints the lines to eval: PATH, DOCKER_HOST, EVENTMART_IMAGES, ...
#   npm run cluster -- down    deletes the cluster and stopped build containers (the engine, images and caches stay)
#   npm run cluster -- status  what runs, and the images it holds
#
# Then: eval "$(npm run -s cluster -- env)" && skaffold run [-p rabbitmq]   (docs/kubernetes.md)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../toolchain/lib.sh"
source "$HERE/../toolchain/versions.sh"
source "$HERE/versions.sh"
NAME=eventmart
STATE=$EVENTMART_CACHE/cluster
mkdir -p "$STATE"
started=$(date +%s)
say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }
timed() { # timed LABEL COMMAND...: run a step, then say how long it took; its failure is the caller's
  local label=$1 t=$(date +%s) status=0
  shift
  # `|| status=$?`, not set -e: errexit is off inside `if timed ...` and `$(timed ...)`.
  "$@" || status=$?
  [ "$status" -eq 0 ] || return "$status"
  say "$label ($(($(date +%s) - t)) s)"
}

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
command=$1
shift
brokers="kafka rabbitmq"
images_choice=""
while [ $# -gt 0 ]; do
  case "$1" in
    --broker) [ "${2:-}" = kafka ] || [ "${2:-}" = rabbitmq ] || fail "--broker takes kafka or rabbitmq"; brokers=$2; shift ;;
    --local-images) images_choice=local ;;
    --upstream-images) images_choice=upstream ;;
    *) usage ;;
  esac
  shift
done

# Which images: the upstream ones where their registries answer, else those built here. The
# choice is remembered, so `env` prints what `up` did.
choose_images() {
  if [ -z "$images_choice" ]; then
    if curl -fsS -o /dev/null --max-time 5 https://registry-1.docker.io/v2/ 2>/dev/null ||
      [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 https://registry-1.docker.io/v2/ 2>/dev/null)" = 401 ]; then
      images_choice=upstream
    else
      images_choice=local
      say "no container registry answers (registry-1.docker.io): building every image on this machine"
    fi
  fi
  echo "$images_choice" >"$STATE/images"
}

tools_env() { bash "$HERE/tools.sh"; }

# The lines `env` prints and `up` uses itself.
environment() {
  bash "$HERE/docker.sh"
  tools_env
  local choice
  choice=$(cat "$STATE/images" 2>/dev/null || echo upstream)
  # No update check: it would only time out where nothing but the package registries answer.
  echo "export SKAFFOLD_UPDATE_CHECK=false"
  if [ "$choice" = local ]; then
    echo "export EVENTMART_IMAGES=local"
    echo "export EVENTMART_DAPR_CHART=$STATE/dapr-chart-$DAPR_VERSION/dapr"
    echo "export EVENTMART_NODE_IMAGE=$(cat "$STATE/node-base-image" 2>/dev/null)"
  else
    echo "unset EVENTMART_IMAGES EVENTMART_DAPR_CHART"
  fi
}

cluster_exists() { kind get clusters 2>/dev/null | grep -qx "$NAME"; }

preflight() {
  local avail_kib free_kib port
  avail_kib=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
  [ "$avail_kib" -ge $((6 * 1024 * 1024)) ] ||
    fail "the cluster needs about 6 GiB of free memory; this machine has $((avail_kib / 1024)) MiB available"
  free_kib=$(df -Pk "$(dirname "${EVENTMART_DOCKER_STATE:-/var/lib/eventmart/docker}")" "$EVENTMART_CACHE" | awk 'NR > 1 {print $4}' | sort -n | sed -n 1p)
  [ "$free_kib" -ge $((20 * 1024 * 1024)) ] ||
    fail "building and running the cluster needs about 20 GB of free disk; $((free_kib / 1024 / 1024)) GB free"
  # kind publishes these on 127.0.0.1 (k8s/kind-config.yaml); it fails late and obscurely when one is taken.
  for port in 8080 3000 3001; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      fail "port $port on 127.0.0.1 is in use (is \`npm start\` running?); kind publishes the shop on 8080, 3000 and 3001"
    fi
  done
}

node_image="" node_base="" images=()
# Everything but the cluster: the engine, the tools and, where needed, the local images.
prepare() {
  local lines
  # Captured before eval: `eval "$(cmd)"` succeeds even when cmd fails, leaving PATH without the tools.
  lines=$(bash "$HERE/docker.sh") || fail "could not start a Docker engine (scripts/cluster/docker.sh)"
  eval "$lines"
  lines=$(timed "tools: kind, kubectl, helm, skaffold ready" tools_env) || fail "could not build or find kind, kubectl, helm and skaffold (scripts/cluster/tools.sh)"
  eval "$lines"
  choose_images
  if [ "$images_choice" = local ]; then
    node_image=$(timed "kind node image ready" bash "$HERE/node-image.sh" | tail -n 1)
    local listed ref stable
    listed=$(timed "images ready" bash "$HERE/images.sh")
    # images.sh names each image by version and recipe (name:1.2.3-<hash>); the manifests
    # (k8s/platform/*/local, the Dapr chart's tag) name the version only: tag that too.
    # The cluster needs all but the build-only ones (Debian base, Node base).
    for ref in $listed; do
      stable=$(sed -E 's/-[0-9a-f]{8}$//' <<<"$ref")
      [ "$stable" = "$ref" ] || docker tag "$ref" "$stable"
      case "$ref" in
        */node:* ) node_base=$stable ;;
        */debian:* | *-rootfs:*) ;;
        */kafka:*) [[ " $brokers " == *" kafka "* ]] && images+=("$stable") ;;
        */rabbitmq:*) [[ " $brokers " == *" rabbitmq "* ]] && images+=("$stable") ;;
        *) images+=("$stable") ;;
      esac
    done
    echo "$node_base" >"$STATE/node-base-image"
    # The official Dapr chart, from the dapr module the control plane was built from.
    if [ ! -f "$STATE/dapr-chart-$DAPR_VERSION/dapr/Chart.yaml" ]; then
      local dapr_dir
      dapr_dir=$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])') ||
        fail "go mod download github.com/dapr/dapr@v$DAPR_VERSION failed"
      rm -rf "$STATE/dapr-chart-$DAPR_VERSION"
      mkdir -p "$STATE/dapr-chart-$DAPR_VERSION"
      cp -r "$dapr_dir/charts/dapr" "$STATE/dapr-chart-$DAPR_VERSION/"
      chmod -R u+w "$STATE/dapr-chart-$DAPR_VERSION"
    fi
  fi
}

up() {
  prepare
  local create_args=(--name "$NAME" --config "$REPO_ROOT/k8s/kind-config.yaml" --wait 3m)
  [ -z "$node_image" ] || create_args+=(--image "$node_image")
  if cluster_exists; then
    say "cluster $NAME exists"
  else
    preflight
  fi
  if ! cluster_exists; then
    if ! timed "cluster $NAME created" kind create cluster "${create_args[@]}"; then
      kind export logs "$STATE/create-logs" --name "$NAME" >/dev/null 2>&1 || true
      fail "kind create cluster failed; node logs in $STATE/create-logs"
    fi
  fi
  # kind load skips an image the node already holds with the same id.
  [ ${#images[@]} -eq 0 ] || timed "images loaded into the node" kind load docker-image --name "$NAME" "${images[@]}" >&2
  kubectl config use-context "kind-$NAME" >/dev/null
  if [ "$images_choice" = local ]; then
    # Our node has no kindnetd, kind's NetworkPolicy enforcer: kube-router's firewall enforces them.
    kubectl apply -f "$REPO_ROOT/k8s/kube-router/kube-router.yaml" >&2 || fail "kubectl apply -f k8s/kube-router/kube-router.yaml failed"
    timed "NetworkPolicy enforcement (kube-router) ready" kubectl -n kube-system rollout status daemonset/kube-router --timeout=3m >&2 ||
      fail "kube-router is not ready: kubectl -n kube-system logs daemonset/kube-router"
  fi
  say "cluster $NAME ready in $(($(date +%s) - started)) s (context kind-$NAME). Next:"
  say '  eval "$(npm run -s cluster -- env)"'
  say '  skaffold run                 # or skaffold dev; -p rabbitmq for RabbitMQ'
}

case "$command" in
  up) up ;;
  prepare) prepare ;;
  env) environment ;;
  down)
    eval "$(bash "$HERE/docker.sh")"
    eval "$(tools_env)"
    if cluster_exists; then timed "cluster $NAME deleted" kind delete cluster --name "$NAME"; else say "no cluster $NAME"; fi
    # Docker's classic builder, driven through the API by skaffold, leaves its intermediate
    # containers behind (the API's rm defaults to off there). In the project's own engine
    # every container is ours: remove the stopped ones. A shared engine is left as it is.
    if [ "${DOCKER_HOST:-}" = "unix:///run/eventmart/docker.sock" ]; then
      timed "stopped build containers removed" docker container prune -f >/dev/null
    fi
    ;;
  status)
    eval "$(bash "$HERE/docker.sh")"
    eval "$(tools_env)"
    if cluster_exists; then
      kubectl --context "kind-$NAME" get nodes -o wide
      kubectl --context "kind-$NAME" get pods -A
    else
      say "no cluster $NAME (npm run cluster -- up)"
    fi
    ;;
  *) usage ;;
esac
