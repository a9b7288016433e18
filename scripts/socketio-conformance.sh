#!/usr/bin/env bash
# Runs the official Engine.IO v4 and Socket.IO v5 protocol test suites (from the socket.io
# repository: docs/engine.io-protocol/v4-test-suite and docs/socket.io-protocol/v5-test-suite)
# against `switchboard --headless --socketio-test-fixture`. A manual script, not a ctest: the
# suites are not vendored in this repository, they are fetched at run time (see below), and the
# suites hard-code http://localhost:3000, so port 3000 must be free. See docs/socketio-conformance.md.
#
#   scripts/socketio-conformance.sh [path/to/switchboard]
#       (default: the most recently built build/*/bin/switchboard)
#
# Environment:
#   SOCKETIO_REPO   a checkout of https://github.com/socketio/socket.io, or a bare git dir (its
#                   HEAD is used). Without it the repository is cloned (--depth 1) into the cache
#                   on the first run, which needs access to github.com.
#   SOCKETIO_UPDATE=1  refresh that cached clone (git fetch --depth 1 + reset).
#   CACHE_DIR       where the clone and the suites' node_modules are kept
#                   (default ${XDG_CACHE_HOME:-$HOME/.cache}/switchboard/socketio-conformance).
#   SUITES          which suites to run (default "engine.io socket.io").
#   MOCHA_ARGS      extra mocha arguments, e.g. MOCHA_ARGS='--grep upgrade'.
#
# Prints mocha's spec output per suite (failures with expected and actual values), then one line
# per suite with its pass/fail counts; exits non-zero if any case failed or a suite did not run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

SUITES=${SUITES:-"engine.io socket.io"}
CACHE_DIR=${CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard/socketio-conformance}
PORT=3000 # hard-coded in both suites (const URL = "http://localhost:3000")
UPSTREAM=https://github.com/socketio/socket.io

die() { echo "socketio-conformance: $*" >&2; exit 2; }

# --- the binary --------------------------------------------------------------------------------
if [ $# -gt 0 ]; then
  binary=$1
else
  binary=$(ls -t build/*/bin/switchboard build/*/app/switchboard 2>/dev/null | head -n 1 || true)
  [ -n "$binary" ] || die "no build/*/bin/switchboard found; build one (cmake --preset dev && cmake --build --preset dev) or pass its path"
fi
[ -x "$binary" ] || die "$binary is not an executable"
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
# (--help into a variable first: `grep -q` in a pipe under pipefail may fail on SIGPIPE.)
help=$("$binary" --help 2>&1 || true)
grep -q -- '--socketio-test-fixture' <<<"$help" \
  || die "$binary has no --socketio-test-fixture option (built before the Socket.IO support?)"
for tool in node npm git curl; do command -v "$tool" >/dev/null || die "$tool is required"; done

# --- the suites' source ------------------------------------------------------------------------
suite_path() { # engine.io|socket.io -> path in the socket.io repository
  case $1 in
    engine.io) echo docs/engine.io-protocol/v4-test-suite ;;
    socket.io) echo docs/socket.io-protocol/v5-test-suite ;;
    *) die "unknown suite $1 (engine.io, socket.io)" ;;
  esac
}
files="test-suite.js node-imports.js package.json package-lock.json"

mkdir -p "$CACHE_DIR"
repo=${SOCKETIO_REPO:-}
if [ -z "$repo" ]; then
  repo=$CACHE_DIR/socket.io
  if [ ! -d "$repo/.git" ]; then
    echo "socketio-conformance: cloning $UPSTREAM into $repo (once; SOCKETIO_REPO=<checkout> avoids it)" >&2
    rm -rf "$repo.tmp"
    if ! GIT_TERMINAL_PROMPT=0 timeout 300 git clone --quiet --depth 1 "$UPSTREAM" "$repo.tmp"; then
      rm -rf "$repo.tmp"
      die "could not clone $UPSTREAM (no access to github.com?). Point SOCKETIO_REPO at a checkout
of the socket.io repository (or a bare git dir of it) and run again."
    fi
    mv "$repo.tmp" "$repo"
  elif [ "${SOCKETIO_UPDATE:-0}" = 1 ]; then
    GIT_TERMINAL_PROMPT=0 timeout 300 git -C "$repo" fetch --quiet --depth 1 origin HEAD \
      && git -C "$repo" reset --quiet --hard FETCH_HEAD \
      || die "could not update $repo from $UPSTREAM"
  fi
fi
[ -d "$repo" ] || die "SOCKETIO_REPO=$repo does not exist"
# A checkout (files in a work tree) or a git dir without one (read with git show HEAD:path).
if [ -d "$repo/docs/engine.io-protocol" ]; then
  mode=tree
  gitdir=$(git -C "$repo" rev-parse --absolute-git-dir 2>/dev/null || true)
elif git --git-dir="$repo" rev-parse --verify -q HEAD >/dev/null 2>&1; then
  mode=git
  gitdir=$repo
else
  die "$repo is neither a checkout of the socket.io repository nor a git dir of it"
fi
commit=$( [ -n "$gitdir" ] && git --git-dir="$gitdir" log -1 --format='%h (%cs)' HEAD 2>/dev/null || echo "(no git metadata)")

fetch_file() { # suite-path file destination
  if [ "$mode" = tree ]; then
    cp "$repo/$1/$2" "$3"
  else
    git --git-dir="$repo" show "HEAD:$1/$2" > "$3"
  fi
}

# --- run ---------------------------------------------------------------------------------------
work=$(mktemp -d /tmp/switchboard-sio-conformance.XXXXXX)
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

start_server() { # log file
  if port_busy; then
    die "port $PORT is already in use (the suites hard-code http://localhost:$PORT); stop whatever listens there"
  fi
  local data
  data=$(mktemp -d "$work/data.XXXXXX")
  # A clean environment for the server: no SWITCHBOARD_* settings from the caller.
  env $(env | sed -n 's/^\(SWITCHBOARD_[A-Za-z0-9_]*\)=.*/-u \1/p') \
    "$binary" --headless --port "$PORT" --socketio-test-fixture --data-dir "$data" >"$1" 2>&1 &
  server_pid=$!
  for _ in $(seq 150); do
    if [[ $(curl -sf --max-time 2 "http://127.0.0.1:$PORT/socket.io/?EIO=4&transport=polling" 2>/dev/null) == 0\{* ]] \
       && [[ $(curl -sf --max-time 2 "http://127.0.0.1:$PORT/engine.io/?EIO=4&transport=polling" 2>/dev/null) == 0\{* ]]; then
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "socketio-conformance: the server did not answer on /socket.io/ and /engine.io/ within 15 s:" >&2
  tail -n 30 "$1" >&2
  return 1
}

summary=()
status=0
echo "socketio-conformance: $binary" >&2
echo "socketio-conformance: suites from $repo ($mode), commit $commit" >&2
for suite in $SUITES; do
  path=$(suite_path "$suite")
  src=$work/src.$suite
  mkdir -p "$src"
  for f in $files; do
    fetch_file "$path" "$f" "$src/$f" || die "$path/$f is missing in $repo"
  done
  # node_modules from the suite's own lockfile, installed once per lockfile content.
  lockhash=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -c1-16)
  dir=$CACHE_DIR/$suite-$lockhash
  if [ ! -f "$dir/.installed" ]; then
    echo "socketio-conformance: npm ci for the $suite suite in $dir" >&2
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$src/package.json" "$src/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed for the $suite suite"
    touch "$dir/.installed"
  fi
  # The test files next to that node_modules (ES modules resolve packages from their directory).
  cp "$src/test-suite.js" "$src/node-imports.js" "$dir/"

  log=$work/server.$suite.log
  echo >&2
  echo "=== $suite protocol suite ($path)" >&2
  if ! start_server "$log"; then
    summary+=("$suite: did not run (the server did not start)")
    status=1
    stop_server
    continue
  fi
  out=$work/mocha.$suite.txt
  set +e
  # shellcheck disable=SC2086 # MOCHA_ARGS is a list of words
  (cd "$dir" && timeout 600 node_modules/.bin/mocha --exit --reporter spec --color=false ${MOCHA_ARGS:-} test-suite.js) 2>&1 | tee "$out"
  code=${PIPESTATUS[0]}
  set -e
  alive=yes
  kill -0 "$server_pid" 2>/dev/null || alive=no
  stop_server
  passed=$(sed -n 's/^ *\([0-9][0-9]*\) passing.*/\1/p' "$out" | tail -n 1)
  failed=$(sed -n 's/^ *\([0-9][0-9]*\) failing.*/\1/p' "$out" | tail -n 1)
  pending=$(sed -n 's/^ *\([0-9][0-9]*\) pending.*/\1/p' "$out" | tail -n 1)
  line="$suite: ${passed:-0} passed, ${failed:-0} failed${pending:+, $pending pending}"
  [ "$code" = 124 ] && line+=" (timed out after 600 s)"
  if [ "$alive" = no ]; then
    line+=" (the server exited during the run; its log follows)"
    tail -n 30 "$log" >&2
  fi
  if [ "$code" != 0 ] || [ "${failed:-0}" != 0 ] || [ -z "$passed" ] || [ "$alive" = no ]; then
    status=1
  fi
  summary+=("$line")
done

echo >&2
echo "socketio-conformance: $("$binary" --version 2>/dev/null | head -n 1), suites at socket.io $commit"
for line in "${summary[@]}"; do echo "  $line"; done
exit $status
