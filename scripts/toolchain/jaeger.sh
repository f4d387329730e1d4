#!/usr/bin/env bash
# Jaeger v2: the trace backend of `npm start` and of the tracing test (OTLP in, UI on 16686).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/versions.sh"
out="$EVENTMART_CACHE/jaeger-$JAEGER_VERSION/jaeger"
mkdir -p "$(dirname "$out")"
# One build at a time (setup.sh runs it in the background, the cluster's images want it too).
exec 9>"$out.lock"
flock 9
if [ ! -x "$out" ]; then
  command -v go >/dev/null || fail "Jaeger needs Go to build"
  step "building Jaeger $JAEGER_VERSION (several minutes the first time)"
  # Built inside its own module source: `go install …/cmd/jaeger@v…` refuses its replace directive.
  src=$(cd "$(mktemp -d)" && go mod download -json "github.com/jaegertracing/jaeger@v$JAEGER_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  [ -d "$src" ] || fail "could not download github.com/jaegertracing/jaeger@v$JAEGER_VERSION"
  (cd "$src" && CGO_ENABLED=0 GOFLAGS="-buildvcs=false -p=2" nice -n 10 go build -trimpath -ldflags "-s -w" -o "$out.tmp" ./cmd/jaeger) >&2 \
    || fail "Jaeger build failed"
  mv "$out.tmp" "$out"
fi
echo "$out"
