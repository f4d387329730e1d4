#!/usr/bin/env bash
# Builds a kind node image for $KUBERNETES_VERSION with no container registry: every binary from the
# Go module proxy, the root filesystem from Debian, every image assembled here. Each part is built
# once per version into $EVENTMART_CACHE/<part>-<version>[-<recipe hash>]/ and reused after that.
# Progress goes to stderr; stdout gets only the image reference, present in the engine at DOCKER_HOST.
#   bash scripts/cluster/node-image.sh              # everything, then print the image
#   bash scripts/cluster/node-image.sh kubernetes   # only some parts (kubernetes containerd cni crictl
#                                                   # etcd coredns pause local-path rootfs), no image
# runc is Debian's package inside the node (no build). Needs root (debootstrap) and a Docker engine
# that can run privileged containers here (scripts/cluster/docker.sh, with its runc wrapper).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../toolchain/lib.sh"
source "$HERE/versions.sh"
# Not in versions.sh yet: later releases are refused by the module proxy (403).
LOCAL_PATH_VERSION="${LOCAL_PATH_VERSION:-v0.0.30}"
GO_DIR="$HERE/go"
# kind's own recipe (entrypoint, units, containerd config) is read from its module at build time.
KIND_MOD="$(go env GOMODCACHE)/sigs.k8s.io/kind@$KIND_VERSION"

# The recipe hash of a part: what we wrote for it, so a change to our recipe rebuilds beside the old.
recipe_hash() { cat "$@" | sha256sum | cut -c1-10; }

# `timed <what> <cmd...>`: runs a step and says how long it took.
timed() {
  local what="$1" t0=$SECONDS; shift
  step "$what ..."
  "$@"
  step "$what: $((SECONDS - t0)) s"
}

# One cache directory per part: built into <dir>.tmp, renamed when complete, so an interrupted build
# is never mistaken for a finished one. A lock keeps two runs from building the same part at once.
# `cached <dir> <build function>`: the function fills "$out".
cached() {
  local dir="$1" fn="$2"
  [ -e "$dir/.done" ] && return 0
  mkdir -p "$EVENTMART_CACHE/.locks"
  exec {lock}>"$EVENTMART_CACHE/.locks/$(basename "$dir")"
  flock "$lock"
  if [ ! -e "$dir/.done" ]; then
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    out="$dir.tmp" timed "$(basename "$dir")" "$fn"
    touch "$dir.tmp/.done" && rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  exec {lock}>&-
}

# Downloads a wrapper module's dependencies first, so a version the proxy refuses is named plainly.
go_download() {
  local mod="$1" what="$2" log
  log="$(mktemp)"
  if ! (cd "$GO_DIR/$mod" && go mod download -x >"$log" 2>&1); then
    grep -E 'refus|40[34]|410|not found|unknown revision|invalid version' "$log" | head -5 >&2 || tail -5 "$log" >&2
    fail "the Go module proxy refused a module needed for $what (scripts/cluster/go/$mod/go.mod); full log: $log"
  fi
  rm -f "$log"
}

# `go_build <module dir> <what> <CGO_ENABLED> <tags> <ldflags> <packages...>`: one `go build` for all
# packages (they share the compile), niced and at -p=2 because this machine's 2 cores are shared.
go_build() {
  local mod="$1" what="$2" cgo="$3" tags="$4" ldflags="$5"; shift 5
  go_download "$mod" "$what"
  (cd "$GO_DIR/$mod" && CGO_ENABLED="$cgo" GOFLAGS="-buildvcs=false -p=2" nice -n 10 \
    go build -trimpath -tags "$tags" -ldflags "-s -w $ldflags" -o "$out/" "$@") >&2 \
    || fail "go build of $what failed (scripts/cluster/go/$mod)"
}

# --- Kubernetes: kubeadm reads its own version from these ldflags and refuses to run without them.
K8S_DIR="$EVENTMART_CACHE/kubernetes-$KUBERNETES_VERSION"
build_kubernetes() {
  local v="${KUBERNETES_VERSION#v}" date ld="" pkg
  # The release's date from the proxy (the module zip has no git metadata): reproducible builds.
  date="$(cd "$GO_DIR/kubernetes" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | jq -r .Info | xargs jq -r .Time)"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=${v%%.*} -X $pkg.gitMinor=$(cut -d. -f2 <<<"$v")"
    ld+=" -X $pkg.gitCommit=0000000000000000000000000000000000000000 -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  go_build kubernetes "k8s.io/kubernetes $KUBERNETES_VERSION" 0 "" "$ld" \
    $(printf 'k8s.io/kubernetes/cmd/%s ' kubelet kubeadm kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy)
}

# --- containerd v2 without the snapshotters a kind node never uses (and no cgo).
CONTAINERD_DIR="$EVENTMART_CACHE/containerd-$CONTAINERD_VERSION"
build_containerd() {
  local x=github.com/containerd/containerd/v2
  go_build containerd "$x $CONTAINERD_VERSION" 0 "no_aufs no_zfs no_btrfs no_devmapper" \
    "-X $x/version.Version=$CONTAINERD_VERSION -X $x/version.Package=github.com/containerd/containerd/v2" \
    $x/cmd/containerd $x/cmd/ctr $x/cmd/containerd-shim-runc-v2
}

# --- The CNI plugins our static conflist names (kindnetd is not on the module proxy).
CNI_DIR="$EVENTMART_CACHE/cni-plugins-$CNI_PLUGINS_VERSION"
build_cni() {
  local x=github.com/containernetworking/plugins/plugins
  go_build cni "github.com/containernetworking/plugins $CNI_PLUGINS_VERSION" 0 "" "" \
    $x/ipam/host-local $x/main/loopback $x/main/ptp $x/meta/portmap
}

# --- crictl: `kind load docker-image` asks it whether the node has an image already (without it,
# every load imports again), and `kind export logs` lists images with it.
CRICTL_DIR="$EVENTMART_CACHE/crictl-$CRICTL_VERSION"
build_crictl() {
  go_build crictl "sigs.k8s.io/cri-tools $CRICTL_VERSION" 0 "" \
    "-X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" sigs.k8s.io/cri-tools/cmd/crictl
}

ETCD_DIR="$EVENTMART_CACHE/etcd-$ETCD_VERSION"
build_etcd() {
  go_build etcd "go.etcd.io/etcd/server/v3 $ETCD_VERSION" 0 "" "" go.etcd.io/etcd/server/v3
  mv "$out/server" "$out/etcd"  # go names it after the module path without its /v3: "server"
}

# --- CoreDNS with our lean plugin list: keyed by the recipe (main.go) as well as the version.
COREDNS_DIR="$EVENTMART_CACHE/coredns-$COREDNS_VERSION-$(recipe_hash "$GO_DIR/coredns/main.go" "$GO_DIR/coredns/go.mod")"
build_coredns() {
  go_build coredns "github.com/coredns/coredns $COREDNS_VERSION" 0 "" \
    "-X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION" eventmart.local/cluster/coredns
}

LOCAL_PATH_DIR="$EVENTMART_CACHE/local-path-provisioner-$LOCAL_PATH_VERSION"
build_local_path() {
  go_build local-path "github.com/rancher/local-path-provisioner $LOCAL_PATH_VERSION" 0 "" \
    "-X main.VERSION=$LOCAL_PATH_VERSION" github.com/rancher/local-path-provisioner
}

# --- pause: kubernetes' own C source from the module zip, linked statically (FROM scratch).
PAUSE_DIR="$EVENTMART_CACHE/pause-$PAUSE_VERSION"
build_pause() {
  local src
  src="$(cd "$GO_DIR/kubernetes" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | jq -r .Dir)/build/pause/linux/pause.c"
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION" -o "$out/pause" "$src" >&2 || fail "gcc -static of $src failed (needs gcc and libc6-dev)"
  strip "$out/pause"
}

# --- The node's root filesystem from Debian, cached as a tarball by suite and package list.
NODE_FILES="$HERE/node"
ROOTFS_DIR="$EVENTMART_CACHE/node-rootfs-$DEBIAN_SUITE-$(recipe_hash "$NODE_FILES/packages")"
build_rootfs() {
  local dir="$out/root" pkgs
  command -v debootstrap >/dev/null || apt_install debootstrap
  pkgs="$(grep -v '^#' "$NODE_FILES/packages" | paste -sd, -)"
  nice -n 10 debootstrap --variant=minbase --include="$pkgs" "$DEBIAN_SUITE" "$dir" http://deb.debian.org/debian >&2 \
    || fail "debootstrap of $DEBIAN_SUITE with $pkgs failed (see $dir/debootstrap/debootstrap.log)"
  # What kind's clean-install drops: package caches and docs, which a node never reads.
  rm -rf "$dir"/var/cache/apt/* "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/* \
    "$dir"/usr/share/locale/* "$dir"/var/log/*.log
  tar -C "$dir" --numeric-owner -cf "$out/rootfs.tar" .
  rm -rf "$dir"
}

# ==== Images: all built here with the legacy builder (Debian's Docker 20.10 has no buildx).
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
docker_build() {  # docker_build <tag> <context dir>
  DOCKER_BUILDKIT=0 docker build -q -t "$1" "$2" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; fail "docker build of $1 failed"; }
}

# `binary_image <tag> <from> <binary> [<path in image>]`: one binary, nothing else (no shell, no libc:
# every binary here is static). kubeadm's manifests name commands without a path: PATH is set.
# Rebuilt with every node image (seconds): their tags carry upstream versions, not our recipe.
binary_image() {
  local tag="$1" from="$2" bin="$3" dest="${4:-/usr/local/bin/$(basename "$3")}" ctx
  ctx="$WORK/ctx-$(basename "$bin")-$RANDOM"
  mkdir -p "$ctx" && cp "$bin" "$ctx/"
  printf 'FROM %s\nCOPY %s %s\nENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin\nENTRYPOINT ["%s"]\n' \
    "$from" "$(basename "$bin")" "$dest" "$dest" >"$ctx/Dockerfile"
  docker_build "$tag" "$ctx"
}

# The images kubeadm expects, under the exact names `kubeadm config images list` prints, plus the
# pause tag kind's containerd config uses as sandbox image and the storage provisioner's two.
# Prints the tags, one a line.
control_plane_images() {
  local ref name tag sandbox
  "$K8S_DIR/kubeadm" config images list --kubernetes-version "$KUBERNETES_VERSION" 2>/dev/null >"$WORK/kubeadm-images" \
    || fail "kubeadm config images list --kubernetes-version $KUBERNETES_VERSION failed"
  while read -r ref; do
    name="${ref%:*}" && name="${name##*/}" && tag="${ref##*:}"
    case "$name" in
      kube-proxy) binary_image "$ref" "$ROOTFS_IMAGE" "$K8S_DIR/kube-proxy" ;;  # iptables, conntrack
      kube-*) binary_image "$ref" scratch "$K8S_DIR/$name" ;;
      etcd) [[ "$tag" == "${ETCD_VERSION#v}"* ]] || fail "kubeadm $KUBERNETES_VERSION wants $ref, ETCD_VERSION is $ETCD_VERSION"
        binary_image "$ref" scratch "$ETCD_DIR/etcd" ;;
      coredns) [ "$tag" = "$COREDNS_VERSION" ] || fail "kubeadm $KUBERNETES_VERSION wants $ref, COREDNS_VERSION is $COREDNS_VERSION"
        binary_image "$ref" scratch "$COREDNS_DIR/coredns" ;;
      pause) [ "$tag" = "$PAUSE_VERSION" ] || fail "kubeadm $KUBERNETES_VERSION wants $ref, PAUSE_VERSION is $PAUSE_VERSION"
        binary_image "$ref" scratch "$PAUSE_DIR/pause" /pause ;;
      *) fail "kubeadm wants $ref, which this script does not know how to build" ;;
    esac
    echo "$ref"
  done <"$WORK/kubeadm-images"
  sandbox="$(sed -n 's/^ *sandbox_image *= *"\(.*\)"/\1/p' "$KIND_MOD/images/base/files/etc/containerd/config.toml")"
  [ -n "$sandbox" ] || fail "no sandbox_image in kind $KIND_VERSION's containerd config"
  grep -qx "$sandbox" "$WORK/kubeadm-images" || { docker tag "registry.k8s.io/pause:$PAUSE_VERSION" "$sandbox" && echo "$sandbox"; }
  binary_image "$PROVISIONER_IMAGE" scratch "$LOCAL_PATH_DIR/local-path-provisioner" && echo "$PROVISIONER_IMAGE"
  have_image "$HELPER_IMAGE" || docker tag "$ROOTFS_IMAGE" "$HELPER_IMAGE"  # its scripts need sh, mkdir, rm
  echo "$HELPER_IMAGE"
}

# The node before its images: kind's base-image recipe (images/base in the kind module) applied to
# our Debian rootfs on the host, then `docker import`ed.
node_base_image() {
  local r="$WORK/root" f="$KIND_MOD/images/base/files"
  have_image "$NODE_BASE" && return 0
  mkdir -p "$r" && tar -C "$r" --numeric-owner -xpf "$ROOTFS_DIR/rootfs.tar"
  install -m 0755 "$f"/usr/local/bin/* "$r/usr/local/bin/"
  mkdir -p "$r/kind/bin" "$r/kind/manifests" "$r/etc/containerd" "$r/etc/cni/net.d" "$r/opt/cni/bin" "$r/etc/kubernetes/manifests" \
    "$r/etc/systemd/system/kubelet.service.d"
  install -m 0644 "$f/kind/README.txt" "$r/kind/" && install -m 0755 "$f"/kind/bin/* "$r/kind/bin/"
  install -m 0644 "$f/etc/crictl.yaml" "$r/etc/" && install -m 0644 "$f/etc/default/kubelet" "$r/etc/default/"
  install -m 0644 "$f"/etc/sysctl.d/* "$r/etc/sysctl.d/"
  # Not containerd-fuse-overlayfs.service: that is for rootless nodes, and we do not build its binary.
  install -m 0644 "$f"/etc/systemd/system/{containerd.service,kubelet.service,kubelet.slice,undo-mount-hacks.service} "$r/etc/systemd/system/"
  install -m 0644 "$f"/etc/systemd/system/kubelet.service.d/* "$r/etc/systemd/system/kubelet.service.d/"
  # Pods cannot lower oom_score_adj on these hosts (CAP_SYS_RESOURCE is not in the bounding set).
  sed 's/^\( *restrict_oom_score_adj *= *\)false/\1true/' "$f/etc/containerd/config.toml" >"$r/etc/containerd/config.toml"
  grep -q 'restrict_oom_score_adj = true' "$r/etc/containerd/config.toml" || fail "kind's containerd config has no restrict_oom_score_adj to set"
  # The same systemd trimming as kind's Dockerfile: only what a node needs starts.
  find "$r/lib/systemd/system/sysinit.target.wants/" -name systemd-tmpfiles-setup.service -delete
  rm -f "$r"/lib/systemd/system/multi-user.target.wants/* "$r"/etc/systemd/system/*.wants/* \
    "$r"/lib/systemd/system/local-fs.target.wants/* "$r"/lib/systemd/system/sockets.target.wants/*udev* \
    "$r"/lib/systemd/system/sockets.target.wants/*initctl* "$r"/lib/systemd/system/basic.target.wants/*
  echo "ReadKMsg=no" >>"$r/etc/systemd/journald.conf"
  ln -sf /usr/lib/systemd/systemd "$r/sbin/init"
  systemctl --root="$r" enable kubelet.service containerd.service undo-mount-hacks.service 2>/dev/null
  systemctl --root="$r" mask systemd-binfmt.service 2>/dev/null
  # Our binaries. runc is Debian's (/usr/sbin/runc, from the package list).
  install -m 0755 "$CONTAINERD_DIR"/{containerd,ctr,containerd-shim-runc-v2} "$r/usr/local/bin/"
  install -m 0755 "$CRICTL_DIR/crictl" "$r/usr/local/bin/"
  install -m 0755 "$CNI_DIR"/{host-local,loopback,ptp,portmap} "$r/opt/cni/bin/"
  install -m 0755 "$K8S_DIR"/{kubeadm,kubelet,kubectl} "$r/usr/bin/"
  "$CONTAINERD_DIR/ctr" oci spec \
    | jq '.hooks.createContainer[.hooks.createContainer|length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \
    | jq 'del(.process.rlimits)' >"$r/etc/containerd/cri-base.json"
  install -m 0644 "$NODE_FILES/10-eventmart.conflist" "$r/etc/cni/net.d/"
  echo "$KUBERNETES_VERSION" >"$r/kind/version"
  install -m 0644 "$NODE_FILES/default-cni.yaml" "$r/kind/manifests/"
  sed -e "s|PROVISIONER_IMAGE|$PROVISIONER_IMAGE|g" -e "s|HELPER_IMAGE|$HELPER_IMAGE|g" "$NODE_FILES/default-storage.yaml" \
    >"$r/kind/manifests/default-storage.yaml"
  # Docker 20.10's import rejects STOPSIGNAL in --change: add it with a one-line Dockerfile.
  tar -C "$r" --numeric-owner -c . | docker import --change 'ENV container=docker' \
    --change 'ENTRYPOINT ["/usr/local/bin/entrypoint","/sbin/init"]' - "$NODE_BASE-import" >/dev/null
  rm -rf "$r"
  mkdir -p "$WORK/ctx-base" && printf 'FROM %s\nSTOPSIGNAL SIGRTMIN+3\n' "$NODE_BASE-import" >"$WORK/ctx-base/Dockerfile"
  docker_build "$NODE_BASE" "$WORK/ctx-base"
  docker rmi "$NODE_BASE-import" >/dev/null
}

# Preload the images into the node's containerd as kind's nodeimage does: run the base container,
# start containerd in it, `ctr images import` them pinned, `docker commit` with kind's entrypoint.
node_image() {
  local id="$BUILD_CONTAINER" images
  docker rm -f "$id" >/dev/null 2>&1 || true
  control_plane_images >"$WORK/images"  # not in a subshell: its `fail` must stop the build
  mapfile -t images <"$WORK/images"
  docker save "${images[@]}" >"$WORK/images.tar" || fail "docker save of ${images[*]} failed"
  docker run -d --name "$id" --entrypoint=sleep --security-opt seccomp=unconfined "$NODE_BASE" infinity >/dev/null \
    || fail "could not start $NODE_BASE (is the runc wrapper of scripts/cluster/docker.sh in use?)"
  docker exec --privileged "$id" bash -c 'nohup containerd >/dev/null 2>&1 &'
  local i
  for i in $(seq 30); do docker exec --privileged "$id" ctr info >/dev/null 2>&1 && break; sleep 1; done
  docker exec --privileged "$id" ctr info >/dev/null 2>&1 || fail "containerd did not start in the build container $id"
  docker exec -i --privileged "$id" ctr --namespace=k8s.io images import --label=io.cri-containerd.pinned=pinned \
    --all-platforms --no-unpack --digests - <"$WORK/images.tar" >"$WORK/import.log" 2>&1 \
    || { cat "$WORK/import.log" >&2; fail "ctr images import failed"; }
  # Listed once into a file: `ctr ... | grep -q` fails under pipefail when grep stops reading early.
  docker exec --privileged "$id" ctr --namespace=k8s.io images list -q >"$WORK/imported" 2>/dev/null
  for i in "${images[@]}"; do
    grep -qx "$(docker_ref "$i")" "$WORK/imported" || fail "$i is missing from the node's containerd after the import"
  done
  docker exec --privileged "$id" pkill containerd || true
  for i in $(seq 30); do docker exec "$id" pgrep -x containerd >/dev/null || break; sleep 1; done
  docker commit --change 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]' "$id" "$IMAGE" >/dev/null \
    || fail "docker commit of $id failed"
}
# containerd names images in full: docker.io/library/ for bare names (ours all have a registry).
docker_ref() { case "$1" in */*.*/*|*.*/*|localhost/*) echo "$1" ;; */*) echo "docker.io/$1" ;; *) echo "docker.io/library/$1" ;; esac; }

# ==== main
PARTS=("$@")
for p in "${PARTS[@]}"; do
  case "$p" in kubernetes|containerd|cni|crictl|etcd|coredns|local-path|pause|rootfs) ;; *) fail "unknown part $p" ;; esac
done
want() { [ ${#PARTS[@]} = 0 ] || [[ " ${PARTS[*]} " == *" $1 "* ]]; }
want kubernetes && cached "$K8S_DIR" build_kubernetes
want containerd && cached "$CONTAINERD_DIR" build_containerd
want cni && cached "$CNI_DIR" build_cni
want crictl && cached "$CRICTL_DIR" build_crictl
want etcd && cached "$ETCD_DIR" build_etcd
want coredns && cached "$COREDNS_DIR" build_coredns
want local-path && cached "$LOCAL_PATH_DIR" build_local_path
want pause && cached "$PAUSE_DIR" build_pause
want rootfs && cached "$ROOTFS_DIR" build_rootfs
[ ${#PARTS[@]} = 0 ] || exit 0

# ==== The node image: keyed by Kubernetes version and the hash of everything our recipe consists of.
RECIPE="$(cd "$HERE" && { cat node-image.sh node/* go/{kubernetes,containerd,cni,crictl,etcd,coredns,local-path}/*
  echo "$KIND_VERSION $KUBERNETES_VERSION $CONTAINERD_VERSION $CRICTL_VERSION $CNI_PLUGINS_VERSION $ETCD_VERSION $COREDNS_VERSION"
  echo "$PAUSE_VERSION $LOCAL_PATH_VERSION $DEBIAN_SUITE"; } | sha256sum | cut -c1-10)"
IMAGE="$LOCAL_REGISTRY/kind-node:$KUBERNETES_VERSION-$RECIPE"
NODE_BASE="$LOCAL_REGISTRY/kind-node-base:$KUBERNETES_VERSION-$RECIPE"
ROOTFS_IMAGE="$LOCAL_REGISTRY/kind-node-rootfs:$(basename "$ROOTFS_DIR")"
PROVISIONER_IMAGE="$LOCAL_REGISTRY/local-path-provisioner:$LOCAL_PATH_VERSION"
HELPER_IMAGE="$LOCAL_REGISTRY/local-path-helper:$(basename "$ROOTFS_DIR")"
[ -n "${DOCKER_HOST:-}" ] || eval "$(bash "$HERE/docker.sh")"
docker version >/dev/null 2>&1 || fail "no Docker engine at ${DOCKER_HOST:-the default socket} (eval \"\$(bash scripts/cluster/docker.sh)\")"
if ! have_image "$IMAGE"; then
  WORK="$(mktemp -d /var/tmp/eventmart-node-image.XXXXXX)"
  BUILD_CONTAINER="eventmart-node-build-$$"
  trap 'docker rm -f "$BUILD_CONTAINER" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
  have_image "$ROOTFS_IMAGE" || timed "docker import of the Debian rootfs" docker import "$ROOTFS_DIR/rootfs.tar" "$ROOTFS_IMAGE" >/dev/null
  timed "node base image $NODE_BASE" node_base_image
  timed "node image $IMAGE (images preloaded)" node_image
fi
echo "$IMAGE"
