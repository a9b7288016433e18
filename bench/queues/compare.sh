#!/usr/bin/env bash
# Durable queues, SQLite store against the Redis store, same binary, same box, same run:
# queue-bench.js once on a single node (SQLite in a fresh data dir) and once in cluster mode
# (--redis, a throwaway redis-server; AOF off, then appendfsync everysec, then always). One
# JSON line each. Numbers go to docs/benchmarks.md.
#
#   bench/queues/compare.sh build/release/bin/switchboard [messages] [concurrency] [workers] [prefetch]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=$1
shift
if [ $# -ge 1 ]; then args=("$@"); else args=(20000 32 4 50); fi

redis_dir=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
redis_pid=
start_redis() {
    redis-server --port "$port" --bind 127.0.0.1 --save '' --dir "$redis_dir" "$@" >/dev/null &
    redis_pid=$!
    until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
}
stop_redis() {
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    rm -f "$redis_dir"/*.aof "$redis_dir"/appendonlydir/* 2>/dev/null || true
}
trap 'stop_redis; rm -rf "$redis_dir"' EXIT

echo "# sqlite (--queue-sync normal)"
node "$here/queue-bench.js" "$binary" "${args[@]}"
for fsync in off everysec always; do
    if [ "$fsync" = off ]; then start_redis --appendonly no; else start_redis --appendonly yes --appendfsync "$fsync"; fi
    echo "# redis (appendfsync $fsync)"
    node "$here/queue-bench.js" "$binary" "${args[@]}" --redis "redis://127.0.0.1:$port"
    stop_redis
done
