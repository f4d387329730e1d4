#!/usr/bin/env bash
# The Dapr binaries the cluster runs, for the official chart at the sidecar's version: operator,
# sentry, sidecar injector, and daprd. With global.actors.enabled=false and
# global.scheduler.enabled=false the chart needs no placement or scheduler.
# Prints the directory holding them. ~5-10 min cold on 2 cores, instant when cached.
#
# All four build in a copy of our daprd wrapper module (scripts/toolchain/daprd), so dapr's replace
# directives apply (`go install github.com/dapr/dapr/cmd/...` fails on them). The copy lives in the
# cache: -mod=mod may add go.sum lines there without touching the repo. daprd is scripts/toolchain/daprd's
# lean main plus go/daprd-k8s/kubernetes.go (the Kubernetes secret store and name resolver).
source "$(dirname "$0")/../toolchain/lib.sh"
source "$(dirname "$0")/../toolchain/versions.sh"

recipe="CGO_ENABLED=0 -trimpath -s -w buildinfo.version=$DAPR_VERSION"
key=$(cat "$REPO_ROOT"/scripts/toolchain/daprd/{go.mod,go.sum,main.go} "$REPO_ROOT/scripts/cluster/go/daprd-k8s/kubernetes.go" \
  <(echo "$recipe") | sha256sum | cut -c1-8)
dir="$EVENTMART_CACHE/dapr-k8s-$DAPR_VERSION-$key"
if [ ! -f "$dir/.complete" ]; then
  command -v go >/dev/null || fail "the Dapr binaries need Go (>= 1.26.4) to build"
  rm -rf "$dir" && mkdir -p "$dir/src"
  cp "$REPO_ROOT"/scripts/toolchain/daprd/{go.mod,go.sum,main.go} "$REPO_ROOT/scripts/cluster/go/daprd-k8s/kubernetes.go" "$dir/src/"
  ldflags="-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION"
  t0=$SECONDS
  step "building Dapr $DAPR_VERSION operator, sentry, injector (minutes the first time)"
  # Shared cores: nice, and at most two packages compiling at once.
  (cd "$dir/src" && CGO_ENABLED=0 GOFLAGS="-buildvcs=false -p=2" nice -n 10 go build -mod=mod -trimpath \
    -ldflags "$ldflags" -o "$dir/" \
    github.com/dapr/dapr/cmd/operator github.com/dapr/dapr/cmd/sentry github.com/dapr/dapr/cmd/injector) >&2 \
    || fail "Dapr control plane build failed (see the go output above)"
  step "control plane: $((SECONDS - t0)) s; building daprd for Kubernetes"
  (cd "$dir/src" && CGO_ENABLED=0 GOFLAGS="-buildvcs=false -p=2" nice -n 10 go build -mod=mod -trimpath \
    -ldflags "$ldflags" -o "$dir/daprd" .) >&2 || fail "daprd (Kubernetes) build failed"
  step "Dapr binaries: $((SECONDS - t0)) s"
  touch "$dir/.complete"
fi
echo "$dir"
