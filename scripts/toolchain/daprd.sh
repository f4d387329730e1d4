#!/usr/bin/env bash
# daprd, the real Dapr sidecar, built from dapr's Go module with only the components we use
# (scripts/toolchain/daprd/main.go). ~3 minutes cold on 2 cores, instant when cached.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/versions.sh"
out="$EVENTMART_CACHE/daprd-$DAPR_VERSION/daprd"
if [ ! -x "$out" ]; then
  command -v go >/dev/null || fail "daprd needs Go (>= 1.26.4; the Kubernetes tools need >= 1.26.8) to build"
  step "building daprd $DAPR_VERSION from github.com/dapr/dapr (a few minutes the first time)"
  (cd "$REPO_ROOT/scripts/toolchain/daprd" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION" -o "$out.tmp" .) >&2 \
    || fail "daprd build failed (see the go output above)"
  mv "$out.tmp" "$out"
fi
echo "$out"
