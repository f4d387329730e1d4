# Every pinned version of the cluster's parts, in one place. Each part is cached by version
# under ${EVENTMART_CACHE:-~/.cache/eventmart}/<part>-<version>/ (scripts/toolchain/lib.sh).
KIND_VERSION=v0.33.0
# The Kubernetes of the locally built kind node. 1.34: kubelet 1.35+ refuses cgroups v1.
KUBERNETES_VERSION=v1.34.4
CONTAINERD_VERSION=v2.3.4
RUNC_VERSION=v1.4.3
CRICTL_VERSION=v1.34.0
CNI_PLUGINS_VERSION=v1.9.1
ETCD_VERSION=v3.6.5
COREDNS_VERSION=v1.12.1
# kubeadm 1.34's pause tag (kind's containerd config names 3.10 as sandbox_image: tag both).
PAUSE_VERSION=3.10.1
SKAFFOLD_VERSION=v2.16.1
# The Debian release every locally built image starts from (debootstrap).
DEBIAN_SUITE=bookworm
# Where locally built images are named: never pushed, never pulled.
LOCAL_REGISTRY=eventmart.local
# NetworkPolicy enforcement on the locally built kind node (its firewall only; k8s/kube-router/).
# v2.1.0: the only version the Go module proxy serves here.
KUBE_ROUTER_VERSION=v2.1.0
