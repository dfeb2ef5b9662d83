#!/usr/bin/env bash
# Headless Chromium for the cloud verifier's dashboard test (Debian's package; no browser download).
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
chromium --version
