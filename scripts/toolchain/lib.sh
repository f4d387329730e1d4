# Shared by the toolchain scripts: where the cache is, how progress is shown.
# The cache lives outside the repository and is keyed by version, so a clean clone on a
# warm machine reuses it and a version bump builds beside the old one.
set -euo pipefail
EVENTMART_CACHE="${EVENTMART_CACHE:-$HOME/.cache/eventmart}"
mkdir -p "$EVENTMART_CACHE"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

step() { printf '  \033[36m•\033[0m %s\n' "$*" >&2; }
fail() { printf '  \033[31m✗ %s\033[0m\n' "$*" >&2; exit 1; }

# apt-get install, running `apt-get update` first unless the package lists are less than a day old.
apt_install() {
  [ "$(id -u)" = 0 ] || fail "installing $* needs root (apt-get); run as root or install them yourself"
  if [ -z "$(find /var/lib/apt/periodic/eventmart-updated -mmin -1440 2>/dev/null)" ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
    step "apt-get update"
    apt-get update -qq >&2 || fail "apt-get update failed"
    mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/eventmart-updated
  fi
  step "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 || fail "apt-get install $* failed"
}
