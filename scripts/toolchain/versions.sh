# Every pinned version of the real parts, in one place (the runner reads this file too).
DAPR_VERSION=1.18.1
DAPR_CONTRIB_VERSION=1.18.0
KAFKA_VERSION=3.9.1
FERRETDB_VERSION=1.24.2
JAEGER_VERSION=1.76.0
