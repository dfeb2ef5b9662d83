#!/bin/sh
# attest-core BootEventLogCollectorInteropTest compares event counts with tpm2_eventlog
# (Debian tpm2-tools). Idempotent.
set -eu
if ! command -v tpm2_eventlog >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tpm2-tools
fi
