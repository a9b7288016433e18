#!/usr/bin/env bash
# Installs what Switchboard needs on Debian 12 (only what is missing). Run as root or with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git curl
  qt6-base-dev qt6-websockets-dev qt6-httpserver-dev qt6-declarative-dev qt6-charts-dev
  qt6-tools-dev qt6-l10n-tools libqt6sql6-sqlite libgl1-mesa-dev
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-templates qml6-module-qtquick-window qml6-module-qtcharts
  qml6-module-qttest qml6-module-qtqml-workerscript qml6-module-qt-labs-settings
  qml6-module-qtcore qml6-module-qtquick-dialogs qt6-qpa-plugins qtkeychain-qt6-dev
  xvfb xauth redis-server libhiredis-dev libmsgpack-cxx-dev libhttp-parser-dev libssl-dev openssl librabbitmq-dev rabbitmq-server help2man systemd procps clang libclang-rt-14-dev faketime wrk nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere (nvm, NodeSource); only ask apt when the commands are absent.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]:-}"

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # Packages only: no system redis-server or rabbitmq-server is started (the tests start their
  # own on free ports). A policy-rc.d that denies starts, unless the machine has one already.
  guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$guard" >/dev/null && $SUDO chmod +x "$guard"
    trap '$SUDO rm -f "$guard"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ -n "$guard" ]; then $SUDO rm -f "$guard"; trap - EXIT; fi
fi

# Third-party clients used by the interop tests, pinned by the lockfile.
if [ "${SWITCHBOARD_SKIP_NPM:-0}" != "1" ]; then
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
  (cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)  # Socket.IO and ws peers of bench/run.sh
fi
