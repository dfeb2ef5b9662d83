#!/bin/sh
# .ci/release-check.sh signs a release rehearsal with a throwaway key: gpg (Debian's gnupg).
set -eu
if ! command -v gpg >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnupg
fi
