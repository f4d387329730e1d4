#!/usr/bin/env bash
# Proves the node image of node-image.sh boots: `kind create cluster` from it with k8s/kind-config.yaml,
# node Ready, CoreDNS, kube-proxy and local-path-provisioner rolled out, a PVC bound, pod DNS
# resolving kubernetes.default. Deletes its cluster (kind-nodecheck) at the end, also on failure.
# Its kubeconfig is its own, so ~/.kube/config is left alone.
source "$(dirname "$0")/../toolchain/lib.sh"
source "$REPO_ROOT/scripts/cluster/versions.sh"
cd "$REPO_ROOT"
eval "$(bash scripts/cluster/docker.sh)"
NAME=nodecheck
WORK="$(mktemp -d)"
export KUBECONFIG="$WORK/kubeconfig"
KIND="$EVENTMART_CACHE/kind-$KIND_VERSION/kind"
[ -x "$KIND" ] || GOBIN="$EVENTMART_CACHE/kind-$KIND_VERSION" go install "sigs.k8s.io/kind@$KIND_VERSION" >&2
trap '"$KIND" delete cluster --name "$NAME" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
t0=$SECONDS; image="$(bash scripts/cluster/node-image.sh)"; step "node image $image: $((SECONDS - t0)) s"
k() { "$EVENTMART_CACHE/kubernetes-$KUBERNETES_VERSION/kubectl" --context "kind-$NAME" "$@"; }
# The config publishes host ports 8080/3000/3001: if something holds them, boot without them.
config=k8s/kind-config.yaml
if ss -ltn | grep -qE '127\.0\.0\.1:(8080|3000|3001) '; then
  python3 -c 'import re; print(re.sub(r"\n    extraPortMappings:.*", "", open("k8s/kind-config.yaml").read(), flags=re.S))' >"$WORK/kind-config.yaml"
  config="$WORK/kind-config.yaml" && step "host ports 8080/3000/3001 in use: booting without extraPortMappings"
fi
t0=$SECONDS
"$KIND" create cluster --name "$NAME" --image "$image" --config "$config" --wait 5m >&2 || fail "kind create cluster from $image failed"
step "kind create cluster: $((SECONDS - t0)) s"
k -n kube-system rollout status deploy/coredns --timeout=180s >&2
k -n kube-system rollout status ds/kube-proxy --timeout=180s >&2
k -n local-path-storage rollout status deploy/local-path-provisioner --timeout=180s >&2
# The storage helper image has sh and getent: a pod on a PVC that resolves the API service's name.
helper="$(k -n local-path-storage get cm local-path-config -o jsonpath='{.data.helperPod\.yaml}' | sed -n 's/.*image: //p')"
k apply -f - >&2 <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: check }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Mi } } }
---
apiVersion: v1
kind: Pod
metadata: { name: check }
spec:
  restartPolicy: Never
  containers:
    - name: check
      image: $helper
      command: [sh, -c, 'getent hosts kubernetes.default && echo written > /data/f && cat /data/f']
      volumeMounts: [{ name: data, mountPath: /data }]
  volumes: [{ name: data, persistentVolumeClaim: { claimName: check } }]
YAML
for _ in $(seq 90); do
  phase="$(k get pod check -o jsonpath='{.status.phase}')"
  [ "$phase" = Succeeded ] || [ "$phase" = Failed ] && break
  sleep 2
done
[ "$phase" = Succeeded ] || { k describe pod check >&2; fail "the check pod ended $phase"; }
[ "$(k get pvc check -o jsonpath='{.status.phase}')" = Bound ] || fail "the PVC did not bind"
k logs check | grep -q 'kubernetes.default' || fail "pod DNS did not resolve kubernetes.default"
# `kind load` asks the node's crictl whether it has the image: a second load must be a no-op.
loaded="$("$KIND" load docker-image --name "$NAME" "$helper" 2>&1)"  # not piped to grep -q (pipefail)
grep -q 'already present' <<<"$loaded" || fail "kind load docker-image did not see $helper on the node (crictl missing?)"
step "node memory: $(docker stats --no-stream --format '{{.MemUsage}}' "$NAME-control-plane")"
step "ok: $image boots; node Ready, CoreDNS, kube-proxy, local-path-provisioner up, PVC bound, DNS in pods"
