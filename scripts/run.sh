#!/usr/bin/env bash
# One command to try Switchboard: installs what is missing, builds Release, starts the console.
# Extra arguments go to the binary, e.g. scripts/run.sh --port 9000 or scripts/run.sh --headless.
set -euo pipefail
cd "$(dirname "$0")/.."
SWITCHBOARD_SKIP_NPM=1 scripts/install-deps.sh
cmake --preset release -DSWITCHBOARD_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release
args=("$@")
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [[ " ${args[*]:-} " != *" --headless "* ]]; then
  echo "No display found: starting the console under xvfb-run (use --headless for the server alone)." >&2
  exec xvfb-run -a build/release/bin/switchboard "${args[@]}"
fi
exec build/release/bin/switchboard "${args[@]}"
