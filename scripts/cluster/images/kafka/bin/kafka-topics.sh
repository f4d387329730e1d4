#!/bin/sh
exec kafka-run-class org.apache.kafka.tools.TopicCommand "$@"
