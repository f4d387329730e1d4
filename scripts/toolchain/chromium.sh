#!/usr/bin/env bash
# Debian's Chromium, driven by playwright-core in the browser tests.
source "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null || apt_install chromium
command -v chromium
