# Shared by the bench scripts that start their own servers (cluster.sh, http-ingest.sh):
# sourced after `cd` to the repository root. Sets tmp (a temporary directory, removed on exit)
# and pids (processes stop_all kills, also on exit).
tmp=$(mktemp -d)
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap 'stop_all; rm -rf "$tmp"' EXIT
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_http() { for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.1; done; echo "no server on $1" >&2; return 1; }
