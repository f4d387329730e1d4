#!/usr/bin/env bash
# RabbitMQ (and Erlang) from Debian.
source "$(dirname "$0")/lib.sh"
if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
  apt_install rabbitmq-server
  # The package may start a system broker; ours is started (and stopped) by the runner.
  service rabbitmq-server stop >/dev/null 2>&1 || true
  epmd -kill >/dev/null 2>&1 || true
fi
echo /usr/lib/rabbitmq/bin
