#!/usr/bin/env bash
# The CLIs the cluster scripts use — kind, skaffold, helm, kubectl — built once per version
# into the cache and put on PATH:
#   eval "$(bash scripts/cluster/tools.sh)"
# Progress goes to stderr, the `export PATH=...` lines to stdout. A warm cache costs a few tests.
source "$(dirname "$0")/../toolchain/lib.sh"
source "$(dirname "$0")/versions.sh"

# Other builds share the two cores: stay polite, and cap Go's parallel package builds.
export GOFLAGS="-buildvcs=false -p=2"

timed() { # timed LABEL CMD...: run CMD, say how long it took
  local t0=$SECONDS
  "${@:2}" || fail "$1 failed (see the go output above)"
  step "$1: $((SECONDS - t0)) s"
}

# kind: its module has no replace directives, so a plain go install works (~1-2 min cold).
kind_dir="$EVENTMART_CACHE/kind-$KIND_VERSION"
if [ ! -x "$kind_dir/kind" ]; then
  step "building kind $KIND_VERSION"
  timed "kind build" env GOBIN="$kind_dir" CGO_ENABLED=0 nice -n 10 go install -trimpath -ldflags "-s -w" \
    "sigs.k8s.io/kind@$KIND_VERSION" >&2
fi

# skaffold: `go install` fails on its replace/exclude directives, so it is built from a wrapper
# module that repeats them (go/skaffold/go.mod). The cache key includes a hash of that go.mod so
# a change to the wrapper rebuilds. Tags as skaffold's Makefile uses for Linux, minus cgo.
skaffold_mod="$REPO_ROOT/scripts/cluster/go/skaffold/go.mod"
skaffold_dir="$EVENTMART_CACHE/skaffold-$SKAFFOLD_VERSION-$(sha256sum "$skaffold_mod" | cut -c1-8)"
if [ ! -x "$skaffold_dir/skaffold" ]; then
  step "building skaffold $SKAFFOLD_VERSION (several minutes the first time)"
  # Built in a copy in the cache: -mod=mod writes go.sum there, not into the repo.
  mkdir -p "$skaffold_dir/src"
  cp "$skaffold_mod" "$skaffold_dir/src/go.mod"
  (cd "$skaffold_dir/src" && timed "skaffold build" env CGO_ENABLED=0 nice -n 10 go build -mod=mod -trimpath \
    -tags "timetzdata osusergo netgo release" \
    -ldflags "-s -w -X github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.version=$SKAFFOLD_VERSION" \
    -o "$skaffold_dir/skaffold.tmp" github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold) >&2
  mv "$skaffold_dir/skaffold.tmp" "$skaffold_dir/skaffold"
fi

# helm: the toolchain script owns its version and build.
# sed, not head: head exits after one line, and a writer still writing then dies of SIGPIPE,
# which pipefail turns into a silent exit of this script (it happened: no PATH lines, no error).
helm_bin=$(bash "$REPO_ROOT/scripts/toolchain/k8s-tools.sh" --print | sed -n 1p)
[ -x "$helm_bin" ] || bash "$REPO_ROOT/scripts/toolchain/k8s-tools.sh" >&2
[ -x "$helm_bin" ] || fail "helm is missing at $helm_bin after scripts/toolchain/k8s-tools.sh"

echo "export PATH=\"$kind_dir:\$PATH\""
echo "export PATH=\"$skaffold_dir:\$PATH\""
echo "export PATH=\"$(dirname "$helm_bin"):\$PATH\""
# kubectl comes from the Kubernetes build of the kind node (another script): add it once it exists.
kubectl_dir="$EVENTMART_CACHE/kubernetes-$KUBERNETES_VERSION"
if [ -x "$kubectl_dir/kubectl" ]; then
  echo "export PATH=\"$kubectl_dir:\$PATH\""
else
  step "kubectl not built yet ($kubectl_dir/kubectl): left off PATH"
fi
