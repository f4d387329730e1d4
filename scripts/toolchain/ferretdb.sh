#!/usr/bin/env bash
# FerretDB: a real MongoDB-wire database on PostgreSQL (no mongod can be had on these machines).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/versions.sh"
out="$EVENTMART_CACHE/ferretdb-$FERRETDB_VERSION/ferretdb"
if [ ! -x "$out" ]; then
  command -v go >/dev/null || fail "FerretDB needs Go to build"
  step "building FerretDB $FERRETDB_VERSION (about a minute the first time)"
  # Built from its module source with build/version/version.txt filled in, as FerretDB's own
  # release build does (a plain `go install` leaves it empty and the binary panics at start).
  src=$(cd "$(mktemp -d)" && go mod download -json "github.com/FerretDB/FerretDB@v$FERRETDB_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  [ -d "$src" ] || fail "could not download github.com/FerretDB/FerretDB@v$FERRETDB_VERSION"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp -r "$src/." "$work" && chmod -R u+w "$work"
  echo "v$FERRETDB_VERSION" > "$work/build/version/version.txt"
  mkdir -p "$(dirname "$out")"
  (cd "$work" && CGO_ENABLED=0 go build -trimpath -o "$out.tmp" ./cmd/ferretdb) >&2 || fail "FerretDB build failed"
  mv "$out.tmp" "$out"
fi
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt_install postgresql
  service postgresql stop >/dev/null 2>&1 || true # ours runs on its own port and data directory
fi
echo "$out"
