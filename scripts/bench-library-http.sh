#!/usr/bin/env bash
# HTTP load on the library, loopback only: a server on a 100,000-document
# library (made by `cargo bench --bench library` with OC_BENCH_KEEP), and
# wrk cycling over a mix of /api/v1/publications and /publications
# searches (text, facets, pages, sorts).
# Usage: scripts/bench-library-http.sh [DURATION_SECONDS]   (default 20)
# OC_BENCH_DOCS=1000000 runs it on a million documents.
set -euo pipefail
duration="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
OC_BENCH_KEEP="$work/data" cargo bench --bench library
cargo build --release --quiet
port=18082
cat > "$work/bench.toml" <<TOML
[server]
bind = "127.0.0.1:$port"
[data]
dir = "$work/data"
[library]
schedule = false
seed = false
TOML
start() {
  "$root/target/release/opencollectivites" serve --config "$1" >"$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 3000); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.02
  done
}
start "$work/bench.toml"
echo "== $(curl -fs "http://127.0.0.1:$port/api/v1/publications?q=dotation" | head -c 120)…"
echo "== machine: $(nproc) cores, $(date -u +%Y-%m-%d)"
load() {
  for mode in api page; do
    echo "== wrk -t2 -c16 -d${duration}s, mix of searches ($mode, $1)"
    MODE=$mode wrk -t2 -c16 -d"${duration}s" --latency -s "$root/scripts/library-mix.lua" "http://127.0.0.1:$port" | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
  done
}
load "result cache on"
echo "== server peak memory: $(grep VmHWM /proc/$pid/status | awk '{print int($2/1024)}') MB"
kill "$pid"; wait "$pid" 2>/dev/null || true
printf '[search]\nlibrary_cache_capacity = 0\n' >> "$work/bench.toml"
start "$work/bench.toml"
load "result cache off"
echo "== server peak memory: $(grep VmHWM /proc/$pid/status | awk '{print int($2/1024)}') MB"
