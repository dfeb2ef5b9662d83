#!/bin/sh
# interop/node holds Node.js peer implementations (npm "jose" for EAR JWTs, "cose-js" for COSE_Sign1) that the
# *InteropTest classes run as independent oracles. Installs Node.js/npm from Debian only if
# missing, then the pinned packages with `npm ci`. Idempotent.
set -eu
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
# `npm ci` starts from the lock file and a clean node_modules every time, so re-running is safe.
(cd interop/node && npm ci --no-audit --no-fund --loglevel=error)
