#!/usr/bin/env bash
# Builds, with no registry, every non-Kubernetes image the cluster runs, and prints their
# references on stdout, one per line (progress and timings on stderr):
#   debian (the base), node (NODE_IMAGE for services/Dockerfile), kafka, rabbitmq, postgres,
#   ferretdb, jaeger, kube-router, dapr/{operator,sentry,injector,daprd}
# Each tag is the version plus a hash of its recipe (scripts/cluster/images/<name>/ and its
# inputs), so a recipe change builds a new image and an unchanged one costs a `docker image
# inspect`. Packages are installed on the host with debootstrap and chroot (network from inside
# containers is not relied on); root filesystems are cached as tarballs under
# $EVENTMART_CACHE/images/. Needs root (debootstrap, chroot) and a Docker engine.
source "$(dirname "$0")/../toolchain/lib.sh"
source "$(dirname "$0")/../toolchain/versions.sh"
source "$(dirname "$0")/versions.sh"
RECIPES="$REPO_ROOT/scripts/cluster/images"
CACHE="$EVENTMART_CACHE/images"
mkdir -p "$CACHE"
# Debian's package, the version toolchain.md names; checked after the install.
RABBITMQ_VERSION=3.10.8
POSTGRES_MAJOR=15

[ "$(id -u)" = 0 ] || fail "images.sh needs root (debootstrap and chroot)"
if ! timeout 10 docker version >/dev/null 2>&1; then
  eval "$(bash "$REPO_ROOT/scripts/cluster/docker.sh")"
fi
# Our Dockerfiles use nothing BuildKit-only; the legacy builder needs no frontend image.
export DOCKER_BUILDKIT=0

# hash_of FILE_OR_DIR... [-- TEXT]: 8 hex digits over the files' names and contents and TEXT.
hash_of() {
  local text=""
  local paths=()
  while [ $# -gt 0 ]; do
    if [ "$1" = -- ]; then text=$2; break; fi
    paths+=("$1"); shift
  done
  { find "${paths[@]}" -type f -printf '%P %m\n' | sort
    find "${paths[@]}" -type f -print0 | sort -z | xargs -0 cat
    echo "$text"; } | sha256sum | cut -c1-8
}
have() { docker image inspect "$1" >/dev/null 2>&1; }
# timed LABEL CMD...: run CMD and say how long it took.
timed() {
  local t0=$SECONDS
  "${@:2}" || fail "$1 failed"
  step "$1: $((SECONDS - t0)) s"
}
# A build context in the cache (on the same filesystem as the artifacts: hard links, no copies).
context() {
  local dir="$CACHE/context-$1"
  rm -rf "$dir" && mkdir -p "$dir" && cp -a "$RECIPES/$1/." "$dir/" && echo "$dir"
}
link() { cp -al "$1" "$2" 2>/dev/null || cp -a "$1" "$2"; }

# --- a. Debian minbase root filesystem, the base of every other image -------------------------
BASE_TAG="$DEBIAN_SUITE-$(hash_of "$RECIPES/debian" -- "minbase $DEBIAN_SUITE $(cat /etc/apt/sources.list.d/debian.sources)")"
BASE_TAR="$CACHE/debian-$BASE_TAG.tar"
BASE="$LOCAL_REGISTRY/debian:$BASE_TAG"
build_base_tar() {
  command -v debootstrap >/dev/null || apt_install debootstrap
  local dir="$CACHE/rootfs-debian.tmp"
  rm -rf "$dir"
  nice -n 10 debootstrap --variant=minbase "$DEBIAN_SUITE" "$dir" http://deb.debian.org/debian >&2 || return 1
  # The host's sources (bookworm, -updates, -security): the chroot installs get security fixes.
  rm -f "$dir/etc/apt/sources.list"
  cp /etc/apt/sources.list.d/debian.sources "$dir/etc/apt/sources.list.d/"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
  : > "$dir/etc/resolv.conf"; : > "$dir/etc/hostname"
  tar -C "$dir" --numeric-owner -cf "$BASE_TAR.tmp" . && mv "$BASE_TAR.tmp" "$BASE_TAR" && rm -rf "$dir"
}
if ! have "$BASE"; then
  [ -f "$BASE_TAR" ] || timed "debian rootfs (debootstrap)" build_base_tar
  timed "import $BASE" docker import "$BASE_TAR" "$BASE" >&2
fi
echo "$BASE"

# rootfs_tar NAME TAR: the base plus NAME's packages (RECIPES/NAME/packages), installed in a
# chroot on the host after RECIPES/NAME/users (if any) has run there, packed into TAR.
rootfs_tar() {
  local name=$1 tar=$2 dir="$CACHE/rootfs-$1.tmp"
  rm -rf "$dir" && mkdir -p "$dir"
  tar -C "$dir" -xf "$BASE_TAR"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  # No daemons start inside the chroot.
  printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d" && chmod +x "$dir/usr/sbin/policy-rc.d"
  mount -t proc proc "$dir/proc"
  trap "umount '$dir/proc' 2>/dev/null || true" EXIT
  [ ! -f "$RECIPES/$name/users" ] || chroot "$dir" sh -e < "$RECIPES/$name/users" >&2
  # shellcheck disable=SC2046 # one package per word
  chroot "$dir" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive nice -n 10 apt-get install -y -qq --no-install-recommends "$@"' \
    sh $(grep -v '^#' "$RECIPES/$name/packages") >&2
  chroot "$dir" apt-get clean
  umount "$dir/proc"; trap - EXIT
  rm -rf "$dir"/var/lib/apt/lists/* "$dir/usr/sbin/policy-rc.d" "$dir"/var/log/apt/* "$dir"/var/log/dpkg.log
  : > "$dir/etc/resolv.conf"
  tar -C "$dir" --numeric-owner -cf "$tar.tmp" . && mv "$tar.tmp" "$tar" && rm -rf "$dir"
}
# rootfs NAME: NAME's root filesystem (cached tarball), imported; prints the image.
rootfs() {
  local name=$1 key image tar files=("$RECIPES/$1/packages")
  [ ! -f "$RECIPES/$name/users" ] || files+=("$RECIPES/$name/users")
  key=$(hash_of "${files[@]}" -- "$BASE_TAG")
  image="$LOCAL_REGISTRY/$name-rootfs:$key"
  tar="$CACHE/$name-rootfs-$key.tar"
  if ! have "$image"; then
    [ -f "$tar" ] || timed "$name rootfs (apt-get install in a chroot)" rootfs_tar "$name" "$tar"
    timed "import $image" docker import "$tar" "$image" >&2
  fi
  echo "$image"
}

# build IMAGE CONTEXT [--build-arg ...]: docker build unless IMAGE exists.
build() {
  local image=$1 ctx=$2; shift 2
  timed "build $image" docker build -q -t "$image" "$@" "$ctx" >&2
}

# --- b. Node, the services' NODE_IMAGE ------------------------------------------------------------
node_bin=$(command -v node) || fail "the Node image copies the host's node: install Node 20"
node_version=$("$node_bin" --version)
npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
[ "${node_version%%.*}" = v20 ] || fail "the host's Node is $node_version, not 20"
# The host's extra CA for Node, if any (see node/Dockerfile).
extra_ca=${NODE_EXTRA_CA_CERTS:-/dev/null}
NODE="$LOCAL_REGISTRY/node:${node_version#v}-$(hash_of "$RECIPES/node" -- "$BASE_TAG $(sha256sum "$node_bin") $(sha256sum < "$npm_dir/package.json") $(sha256sum < "$extra_ca")")"
if ! have "$NODE"; then
  ctx=$(context node)
  link "$node_bin" "$ctx/node"
  cp -a "$npm_dir" "$ctx/npm"
  cat "$extra_ca" > "$ctx/extra-ca.crt"
  build "$NODE" "$ctx" --build-arg BASE="$BASE" \
    --build-arg EXTRA_CA="$([ "$extra_ca" = /dev/null ] || echo /usr/local/share/eventmart/extra-ca.crt)"
fi
echo "$NODE"

# --- c. Kafka ---------------------------------------------------------------------------------------
kafka_dir=$(bash "$REPO_ROOT/scripts/toolchain/kafka.sh")
# kafka-consumer-groups.sh (docs/kubernetes.md) and kafka-topics.sh live in kafka-tools, which the
# broker's dependency list does not include: one more jar from Maven Central.
tools_jar="$EVENTMART_CACHE/kafka-tools-$KAFKA_VERSION/kafka-tools-$KAFKA_VERSION.jar"
if [ ! -f "$tools_jar" ]; then
  step "fetching kafka-tools $KAFKA_VERSION from Maven Central"
  mvn -q -B dependency:copy "-Dartifact=org.apache.kafka:kafka-tools:$KAFKA_VERSION" \
    "-DoutputDirectory=$(dirname "$tools_jar")" >&2 || fail "mvn could not fetch kafka-tools $KAFKA_VERSION"
fi
kafka_rootfs=$(rootfs kafka)
KAFKA="$LOCAL_REGISTRY/kafka:$KAFKA_VERSION-$(hash_of "$RECIPES/kafka" -- "$kafka_rootfs $(ls "$kafka_dir/libs") $(basename "$tools_jar")")"
if ! have "$KAFKA"; then
  ctx=$(context kafka)
  mkdir "$ctx/libs"
  for jar in "$kafka_dir"/libs/*.jar "$tools_jar"; do link "$jar" "$ctx/libs/"; done
  build "$KAFKA" "$ctx" --build-arg ROOTFS="$kafka_rootfs"
fi
echo "$KAFKA"

# --- d. RabbitMQ ------------------------------------------------------------------------------------
rabbitmq_rootfs=$(rootfs rabbitmq)
RABBITMQ="$LOCAL_REGISTRY/rabbitmq:$RABBITMQ_VERSION-$(hash_of "$RECIPES/rabbitmq" -- "$rabbitmq_rootfs")"
if ! have "$RABBITMQ"; then
  got=$(docker run --rm --entrypoint dpkg-query "$rabbitmq_rootfs" -W -f '${Version}' rabbitmq-server)
  [[ $got == "$RABBITMQ_VERSION"* ]] || fail "Debian's rabbitmq-server is $got, not $RABBITMQ_VERSION: update RABBITMQ_VERSION"
  build "$RABBITMQ" "$(context rabbitmq)" --build-arg ROOTFS="$rabbitmq_rootfs"
fi
echo "$RABBITMQ"

# --- e. PostgreSQL and FerretDB ----------------------------------------------------------------------
postgres_rootfs=$(rootfs postgres)
POSTGRES="$LOCAL_REGISTRY/postgres:$POSTGRES_MAJOR-$(hash_of "$RECIPES/postgres" -- "$postgres_rootfs")"
have "$POSTGRES" || build "$POSTGRES" "$(context postgres)" --build-arg ROOTFS="$postgres_rootfs"
echo "$POSTGRES"

# binary_image NAME VERSION BIN: one Go binary the toolchain built (BIN, copied in as NAME) on
# the Debian base, by RECIPES/NAME/Dockerfile; prints the image.
binary_image() {
  local name=$1 version=$2 bin=$3 image ctx
  image="$LOCAL_REGISTRY/$name:$version-$(hash_of "$RECIPES/$name" -- "$BASE_TAG $(sha256sum < "$bin")")"
  if ! have "$image"; then
    ctx=$(context "$name")
    link "$bin" "$ctx/$name"
    build "$image" "$ctx" --build-arg BASE="$BASE"
  fi
  echo "$image"
}
binary_image ferretdb "$FERRETDB_VERSION" "$(bash "$REPO_ROOT/scripts/toolchain/ferretdb.sh")"

# --- e2. Jaeger (the trace backend) ----------------------------------------------------------------
binary_image jaeger "$JAEGER_VERSION" "$(bash "$REPO_ROOT/scripts/toolchain/jaeger.sh")"

# --- e3. kube-router's firewall: NetworkPolicy enforcement on the local kind node -----------------
kube_router_bin=$(bash "$REPO_ROOT/scripts/cluster/kube-router.sh")
kube_router_rootfs=$(rootfs kube-router)
KUBE_ROUTER="$LOCAL_REGISTRY/kube-router:${KUBE_ROUTER_VERSION#v}-$(hash_of "$RECIPES/kube-router" -- "$kube_router_rootfs $(sha256sum < "$kube_router_bin")")"
if ! have "$KUBE_ROUTER"; then
  ctx=$(context kube-router)
  link "$kube_router_bin" "$ctx/kube-router"
  build "$KUBE_ROUTER" "$ctx" --build-arg ROOTFS="$kube_router_rootfs"
fi
echo "$KUBE_ROUTER"

# --- f. The Dapr control plane and sidecar (one tag for all four: the chart's global.tag) ---------
dapr_dir=$(bash "$REPO_ROOT/scripts/cluster/dapr.sh")
# Debian's CA bundle (not the host's, which may hold a local egress CA), from a rootfs that has
# ca-certificates installed (Java depends on it).
certs="$CACHE/debian-ca-certificates-$(basename "$kafka_rootfs" | tr : -).crt"
[ -s "$certs" ] || tar -xOf "$CACHE/kafka-rootfs-${kafka_rootfs##*:}.tar" ./etc/ssl/certs/ca-certificates.crt > "$certs"
DAPR_TAG="$DAPR_VERSION-$(hash_of "$RECIPES/dapr" -- "$(basename "$dapr_dir") $(sha256sum < "$certs")")"
for bin in operator sentry injector daprd; do
  image="$LOCAL_REGISTRY/dapr/$bin:$DAPR_TAG"
  if ! have "$image"; then
    ctx=$(context dapr)
    cp "$certs" "$ctx/ca-certificates.crt"
    link "$dapr_dir/$bin" "$ctx/$bin"
    build "$image" "$ctx" --build-arg BIN="$bin"
  fi
  echo "$image"
done
