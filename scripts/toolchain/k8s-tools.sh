#!/usr/bin/env bash
# Installs the tools and schemas that test/k8s needs to check the Helm chart, the Dapr
# components, k8s/ and skaffold.yaml with no cluster and no container engine. Everything comes
# from the Go module proxy and PyPI, pinned, and is cached outside the repo under
#   ${EVENTMART_CACHE:-$HOME/.cache/eventmart}/<tool>-<version>/
# A warm cache costs a few file tests. test/k8s/tools.ts computes the same paths: keep the
# versions below and there in step (a test checks they agree).
#
#   bash scripts/toolchain/k8s-tools.sh          install what is missing, print progress on stderr
#   bash scripts/toolchain/k8s-tools.sh --print  print the cache paths, one per line
set -euo pipefail

HELM_VERSION=v3.19.5
KUBECONFORM_VERSION=v0.7.0
KUBE_SCORE_VERSION=v1.20.0
# The Kubernetes version of the kind node image that k8s/kind-config.yaml pins (kind v0.30.0).
KUBERNETES_VERSION=1.34.0
# PyPI package whose wheel carries strict JSON Schemas for Kubernetes 1.25 .. 1.37.
KUBERNETES_VALIDATE_VERSION=1.37.0
DAPR_VERSION=v1.18.1
KEDA_VERSION=v2.21.0
# The newest skaffold module the Go proxy serves here; its newest schema is v4beta13.
SKAFFOLD_VERSION=v2.16.1
SKAFFOLD_SCHEMA=v4beta13

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${EVENTMART_CACHE:-$HOME/.cache/eventmart}
CHECK_SRC=$ROOT/scripts/toolchain/k8scheck
# The helper is rebuilt whenever its source changes.
CHECK_VERSION=$(cat "$CHECK_SRC/go.mod" "$CHECK_SRC/go.sum" "$CHECK_SRC/main.go" | sha256sum | cut -c1-12)

# Built like helm's own Makefile does, with the Kubernetes version of its client libraries
# (1.34 for v3.19) as the default of .Capabilities.KubeVersion: a plain `go install` says 1.20.
HELM=$CACHE/helm-$HELM_VERSION-k8s1.34/helm
KUBECONFORM=$CACHE/kubeconform-$KUBECONFORM_VERSION/kubeconform
KUBE_SCORE=$CACHE/kube-score-$KUBE_SCORE_VERSION/kube-score
K8SCHECK=$CACHE/k8scheck-$CHECK_VERSION/k8scheck
K8S_SCHEMAS=$CACHE/kubernetes-schemas-v$KUBERNETES_VERSION-kv$KUBERNETES_VALIDATE_VERSION
CRD_SCHEMAS=$CACHE/crd-schemas-dapr-$DAPR_VERSION-keda-$KEDA_VERSION
SKAFFOLD_SCHEMA_FILE=$CACHE/skaffold-schema-$SKAFFOLD_VERSION/$SKAFFOLD_SCHEMA.json

if [[ ${1:-} == --print ]]; then
  printf '%s\n' "$HELM" "$KUBECONFORM" "$KUBE_SCORE" "$K8SCHECK" "$K8S_SCHEMAS" "$CRD_SCHEMAS" "$SKAFFOLD_SCHEMA_FILE"
  exit 0
fi

say() { echo "k8s-tools: $*" >&2; }
die() {
  echo "k8s-tools: ERROR: $*" >&2
  exit 1
}
need() { command -v "$1" >/dev/null || die "$1 is not on PATH; $2"; }

need go "install Go 1.26.8 or newer (BuildKit's Dockerfile parser in k8scheck needs it)"
need python3 "install Python 3"

# setup.sh builds one part at a time: Go's default -p (one package per core) uses both cores.

# go_install DEST MODULE/PATH@VERSION [LDFLAGS]: build one command into DEST's folder.
go_install() {
  local dest=$1 pkg=$2 ldflags=${3:-}
  [[ -x $dest ]] && return 0
  say "building $pkg (a few minutes on a cold cache)"
  mkdir -p "$(dirname "$dest")"
  GOBIN=$(dirname "$dest") CGO_ENABLED=0 go install -ldflags="$ldflags" "$pkg" ||
    die "go install $pkg failed; is the Go module proxy reachable?"
  [[ -x $dest ]] || die "go install $pkg did not produce $dest"
}

# module_dir MODULE@VERSION: download a module zip (cached by Go) and print its folder.
module_dir() {
  local dir
  dir=$(go mod download -json "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("Dir") or ""); sys.exit(1 if d.get("Error") else 0)') ||
    die "go mod download $1 failed"
  echo "$dir"
}

helm_ldflags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  helm_ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=34"
done
go_install "$HELM" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" "$helm_ldflags"
go_install "$KUBECONFORM" "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
go_install "$KUBE_SCORE" "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"

if [[ ! -x $K8SCHECK ]]; then
  say "building k8scheck ($CHECK_VERSION)"
  mkdir -p "$(dirname "$K8SCHECK")"
  (cd "$CHECK_SRC" && CGO_ENABLED=0 go build -o "$K8SCHECK" .) || die "building $CHECK_SRC failed"
fi

# Kubernetes schemas: the wheel's "local-strict" set for our version. Its files reference a
# shared _definitions.json through an https $id; make the references relative so kubeconform
# resolves them on disk and never goes to the network.
if [[ ! -f $K8S_SCHEMAS/.complete ]]; then
  say "unpacking Kubernetes $KUBERNETES_VERSION schemas from kubernetes-validate $KUBERNETES_VALIDATE_VERSION"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" ||
    die "pip download kubernetes-validate==$KUBERNETES_VALIDATE_VERSION failed"
  rm -rf "$K8S_SCHEMAS"
  python3 - "$tmp"/kubernetes_validate-*.whl "v$KUBERNETES_VERSION-local-strict" "$K8S_SCHEMAS" <<'PY' || die "unpacking the schemas failed"
import json, os, sys, zipfile
wheel, version, out = sys.argv[1:]
prefix = f"kubernetes_validate/kubernetes-json-schema/{version}/"
os.makedirs(out)
count = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if not name.startswith(prefix) or not name.endswith(".json"):
            continue
        text = z.read(name).decode().replace('"/api/_definitions.json#', '"_definitions.json#')
        schema = json.loads(text)
        schema.pop("$id", None)
        with open(os.path.join(out, name[len(prefix):]), "w") as f:
            json.dump(schema, f)
        count += 1
if count < 100:
    sys.exit(f"only {count} schemas under {prefix}")
PY
  touch "$K8S_SCHEMAS/.complete"
fi

# CRD schemas: Dapr's from the dapr module (the same version as the control plane chart),
# KEDA's from the keda module.
if [[ ! -f $CRD_SCHEMAS/.complete ]]; then
  say "converting Dapr $DAPR_VERSION and KEDA $KEDA_VERSION CRDs to JSON Schema"
  dapr_dir=$(module_dir "github.com/dapr/dapr@$DAPR_VERSION")
  keda_dir=$(module_dir "github.com/kedacore/keda/v2@$KEDA_VERSION")
  rm -rf "$CRD_SCHEMAS"
  "$K8SCHECK" crd-schemas "$CRD_SCHEMAS" "$dapr_dir"/charts/dapr/crds/*.yaml \
    "$keda_dir"/config/crd/bases/keda.sh_*.yaml || die "converting the CRDs failed"
  touch "$CRD_SCHEMAS/.complete"
fi

if [[ ! -f $SKAFFOLD_SCHEMA_FILE ]]; then
  say "extracting the skaffold $SKAFFOLD_SCHEMA schema from skaffold $SKAFFOLD_VERSION"
  skaffold_dir=$(module_dir "github.com/GoogleContainerTools/skaffold/v2@$SKAFFOLD_VERSION")
  mkdir -p "$(dirname "$SKAFFOLD_SCHEMA_FILE")"
  cp "$skaffold_dir/docs-v2/content/en/schemas/$SKAFFOLD_SCHEMA.json" "$SKAFFOLD_SCHEMA_FILE.tmp" ||
    die "the skaffold module has no $SKAFFOLD_SCHEMA schema"
  mv "$SKAFFOLD_SCHEMA_FILE.tmp" "$SKAFFOLD_SCHEMA_FILE"
fi

say "ready in $CACHE"
