#!/usr/bin/env bash
# Soak: one Release node driven for 10 minutes with connect storms, emits, Socket.IO polling
# sessions with upgrades, queue flow and bad input mixed in; RSS and descriptors are sampled
# and must stay flat (within 10 % from the first minute after warm-up to the last minute).
# Prints a line every 10 s and a JSON summary; record the run in docs/security.md ("Soak").
#
#   bench/soak.sh [build-dir] [seconds=600] [warmup-seconds]
#
# Not part of ctest (ten minutes); tests/interop's npm packages are used (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
[ -x "$build/bin/switchboard" ] || { echo "no $build/bin/switchboard: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
[ -d tests/interop/node_modules/ws ] || (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
exec node bench/soak.js "$build/bin/switchboard" "${2:-600}" ${3:+"$3"}
