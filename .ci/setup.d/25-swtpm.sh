#!/bin/sh
# attest-tpm ITs start a real swtpm (TPM 2.0 simulator) on loopback and use tpm2-tools
# (tpm2_quote, tpm2_checkquote, tpm2_pcrread, tpm2_createek, tpm2_makecredential, tpm2_eventlog) as peer
# oracles; ClockIT re-initializes swtpm with swtpm_ioctl (swtpm-tools). Idempotent.
set -eu
need=""
command -v swtpm >/dev/null 2>&1 || need="$need swtpm"
command -v swtpm_ioctl >/dev/null 2>&1 || need="$need swtpm-tools"
command -v tpm2_quote >/dev/null 2>&1 || need="$need tpm2-tools"
# tpm2-tools reaches swtpm through the libtss2 swtpm TCTI.
if ! ls /usr/lib/*/libtss2-tcti-swtpm.so* >/dev/null 2>&1; then
    need="$need tcti"
fi
if [ -n "$need" ]; then
    apt-get update -qq
    # The TCTI package was renamed for the 64-bit time_t transition (Debian trixie).
    if [ "${need#*tcti}" != "$need" ]; then
        if apt-cache show libtss2-tcti-swtpm0t64 >/dev/null 2>&1; then tcti=libtss2-tcti-swtpm0t64
        else tcti=libtss2-tcti-swtpm0; fi
        need=$(echo "$need" | sed "s/ tcti\b/ $tcti/")
    fi
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need
fi
