#!/usr/bin/env bash
# Apache Kafka (KRaft, one node) from Maven Central jars, run with the machine's Java 17.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/versions.sh"
dir="$EVENTMART_CACHE/kafka-$KAFKA_VERSION"
if [ ! -f "$dir/.complete" ]; then
  command -v java >/dev/null || fail "Kafka needs Java 17"
  command -v mvn >/dev/null || fail "fetching Kafka's jars needs Maven (mvn)"
  step "fetching Kafka $KAFKA_VERSION jars from Maven Central"
  mkdir -p "$dir/libs"
  mvn -q -B -f "$REPO_ROOT/scripts/toolchain/kafka-pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DoutputDirectory="$dir/libs" -DincludeScope=runtime >&2 \
    || fail "mvn could not fetch Kafka $KAFKA_VERSION"
  touch "$dir/.complete"
fi
echo "$dir"
