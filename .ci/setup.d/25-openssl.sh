#!/bin/sh
# attest-cli KeyFilesInteropTest uses the openssl command (Debian openssl) as an independent
# reader and writer of PEM, PKCS#8 and PKCS#12 key files. Idempotent.
set -eu
if ! command -v openssl >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl
fi
