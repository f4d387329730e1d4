#!/usr/bin/env bash
# kube-router, built from its Go module and cached by version; prints the binary's path. Only its
# network policy controller runs (k8s/kube-router/): kind's own enforcer, kindnetd, is not to be
# had here, and the one kindnetd bundles needs the kernel's nftables queue (CONFIG_NFT_QUEUE),
# which these machines' kernels lack; kube-router's iptables and ipset rules need only what they have.
source "$(dirname "$0")/../toolchain/lib.sh"
source "$(dirname "$0")/versions.sh"
out="$EVENTMART_CACHE/kube-router-$KUBE_ROUTER_VERSION/kube-router"
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9
if [ ! -x "$out" ]; then
  command -v go >/dev/null || fail "kube-router needs Go to build"
  step "building kube-router $KUBE_ROUTER_VERSION (a few minutes the first time)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (GOBIN="$tmp" CGO_ENABLED=0 GOFLAGS="-buildvcs=false -p=2" nice -n 10 \
    go install -trimpath -ldflags "-s -w" "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION") >&2 \
    || fail "kube-router build failed (github.com/cloudnativelabs/kube-router/v2@$KUBE_ROUTER_VERSION)"
  mv "$tmp/kube-router" "$out" || fail "could not move kube-router into $out"
fi
echo "$out"
