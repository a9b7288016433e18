#!/usr/bin/env bash
# The Debian package (issue 17, docs/operations.md): builds it with cpack from BUILD_DIR, checks
# its name, contents, control data and unit file, then unpacks it with dpkg -x into a temporary
# root and runs what it installed: the headless server answers /health and stops cleanly on
# SIGTERM, logs in the journal's format when stderr is the journal, and the console loads its
# library from the package's /usr/lib/switchboard.
# Usage: check-deb.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "ok: $*"; }

version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
[ -n "$version" ] || fail "no CPACK_PACKAGE_VERSION in $build/CPackConfig.cmake"
cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack -G DEB"; }
deb="$work/out/switchboard_${version}_amd64.deb"
[ -f "$deb" ] || { ls "$work/out"; fail "no $(basename "$deb")"; }
step "cpack built $(basename "$deb")"

# Contents: the binary and the console library, the unit, the conffile, desktop file, icon,
# man page and docs.
dpkg-deb -c "$deb" | awk '{print $NF}' > "$work/contents"
for path in ./usr/bin/switchboard ./usr/lib/switchboard/libswitchboard_gui.so \
            ./usr/lib/systemd/system/switchboard.service ./etc/switchboard/config.json \
            ./usr/share/applications/switchboard.desktop ./usr/share/icons/hicolor/scalable/apps/switchboard.svg \
            ./usr/share/man/man1/switchboard.1.gz ./usr/share/doc/switchboard/operations.md; do
  grep -qxF "$path" "$work/contents" || fail "$path is not in the package"
done
if grep -E '^\./usr/(include|lib/cmake)|tst_|loadgen|rawpeer' "$work/contents"; then fail "build or test files in the package"; fi
step "contents"

# Control data: package fields, shared-library dependencies, the conffile, maintainer scripts.
[ "$(dpkg-deb -f "$deb" Package)" = switchboard ] || fail "Package"
[ "$(dpkg-deb -f "$deb" Architecture)" = amd64 ] || fail "Architecture"
depends=$(dpkg-deb -f "$deb" Depends)
for dep in adduser libqt6core6 libqt6network6 libhiredis0.14 librabbitmq4 libssl3; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
dpkg-deb -e "$deb" "$work/control"
grep -qxF /etc/switchboard/config.json "$work/control/conffiles" || fail "config.json is not a conffile"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "no executable $script"
  sh -n "$work/control/$script" || fail "$script does not parse"
done
step "control: Depends ($depends), conffiles, maintainer scripts"

# Unpacked into a temporary root: the unit verifies against it, the man page reads.
dpkg-deb -x "$deb" "$work/root"
# The system's own units (targets the unit depends on) and kill(1) (its ExecReload) join the
# packaged files in a copy of the root, as on an installed system; the man page is checked below.
cp -a "$work/root" "$work/sysroot"
mkdir -p "$work/sysroot/usr/lib/systemd/system" "$work/sysroot/bin"
cp -an /usr/lib/systemd/system/. "$work/sysroot/usr/lib/systemd/system/"
cp "$(readlink -f /bin/kill)" "$work/sysroot/bin/kill"
SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no --root="$work/sysroot" /usr/lib/systemd/system/switchboard.service \
  > "$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "systemd-analyze verify"; }
if grep -i "switchboard.service" "$work/verify.log"; then fail "systemd-analyze verify warns about the unit"; fi
grep -q '^ExecStart=/usr/bin/switchboard --headless --config /etc/switchboard/config.json' "$work/root/usr/lib/systemd/system/switchboard.service" \
  || fail "ExecStart"
man=$(zcat "$work/root/usr/share/man/man1/switchboard.1.gz")
grep -q '^.SH OPTIONS' <<<"$man" && grep -qF '\fB\-\-headless' <<<"$man" || fail "the man page has no OPTIONS with --headless"
step "systemd-analyze verify, man page"

# The packaged binary with the packaged config (port 0 for a free one), stderr as "the journal".
bin="$work/root/usr/bin/switchboard"
log="$work/server.log"
: > "$log"
journal=$(stat -c '%d:%i' "$log")
JOURNAL_STREAM="$journal" "$bin" --headless --config "$work/root/etc/switchboard/config.json" --port 0 \
  --data-dir "$work/data" 2>>"$log" &
pid=$!
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; fail "the packaged server exited"; }
  sleep 0.05
done
[ -n "$port" ] || { cat "$log"; fail "the packaged server did not listen"; }
health=$(curl -sS "http://127.0.0.1:$port/health")
grep -q '"status":"ok"' <<<"$health" || fail "/health: $health"
grep -q '^<6>switchboard.server: listening on http://127.0.0.1:' "$log" || { cat "$log"; fail "not the journal's line format"; }
if grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$log"; then cat "$log"; fail "a timestamp of ours in the journal"; fi
kill -TERM "$pid"
status=0; wait "$pid" || status=$?
pid=""
[ "$status" = 0 ] || { cat "$log"; fail "exit status $status after SIGTERM"; }
step "packaged server: /health on port $port, journal lines, exit 0 on SIGTERM"

# The console: the packaged binary finds its library in ../lib/switchboard (not the build tree).
QT_QPA_PLATFORM=offscreen SWITCHBOARD_SCREENSHOTS="$work/shots" SWITCHBOARD_SCREENSHOT_PAGES=overview \
  SWITCHBOARD_SCREENSHOT_QUIT=1 "$bin" --port 0 --data-dir "$work/gui-data" >"$work/gui.log" 2>&1 &
pid=$!
loaded=""
for _ in $(seq 1 200); do
  grep -qF "$work/root/usr/lib/switchboard/libswitchboard_gui.so" "/proc/$pid/maps" 2>/dev/null && { loaded=1; break; }
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
status=0; wait "$pid" || status=$?
pid=""
[ -n "$loaded" ] || { cat "$work/gui.log"; fail "the console library was not loaded from the package"; }
[ "$status" = 0 ] && [ -s "$work/shots/overview.png" ] || { cat "$work/gui.log"; fail "the packaged console (status $status)"; }
step "packaged console: library from /usr/lib/switchboard, Overview rendered"
echo "package: all passed"
