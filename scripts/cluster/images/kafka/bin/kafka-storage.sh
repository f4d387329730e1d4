#!/bin/sh
exec kafka-run-class kafka.tools.StorageTool "$@"
