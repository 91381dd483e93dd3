#!/usr/bin/env bash
# HTTP benchmark on loopback only: start-up times, name search and code
# look-up throughput and latency with wrk (Debian package), resident memory.
# Usage: scripts/bench-http.sh [DURATION_SECONDS]   (default 20)
set -euo pipefail
duration="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
bin="$root/target/release/opencollectivites"
work="$(mktemp -d)"
port=18080
cat > "$work/bench.toml" <<TOML
[server]
bind = "127.0.0.1:$port"
[data]
dir = "$work/data"
TOML
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start() {
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" serve --config "$work/bench.toml" >"$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.01
  done
  t1=$(date +%s.%N)
  echo "$1: $(echo "$t1 - $t0" | bc) s until /healthz answers"
}

start "first start (builds the index)"
kill "$pid"; wait "$pid" 2>/dev/null || true
start "start-up on the existing index"

echo "== machine: $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{print $2/1048576 " GiB"}'), $(date -u +%Y-%m-%d)"
for q in "saint" "montpel" "34172"; do
  echo "== wrk -t2 -c32 -d${duration}s /api/v1/search?q=$q"
  wrk -t2 -c32 -d"${duration}s" --latency "http://127.0.0.1:$port/api/v1/search?q=$q" | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
done
echo "== memory of the server after the load"
grep -E "VmRSS|VmHWM" "/proc/$pid/status"
kill "$pid"; wait "$pid" 2>/dev/null || true

# The same name search with the result cache disabled: every request runs
# the full search.
printf '[search]\ncache_capacity = 0\n' >> "$work/bench.toml"
start "start-up, result cache disabled"
echo "== wrk -t2 -c32 -d${duration}s /api/v1/search?q=saint (no result cache)"
wrk -t2 -c32 -d"${duration}s" --latency "http://127.0.0.1:$port/api/v1/search?q=saint" | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
echo "== wrk -t2 -c32 -d${duration}s /api/v1/search?q=montpel (no result cache)"
wrk -t2 -c32 -d"${duration}s" --latency "http://127.0.0.1:$port/api/v1/search?q=montpel" | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
echo "== export of all communes of France (CSV, streamed), 3 times"
grep VmRSS "/proc/$pid/status"
for i in 1 2 3; do
  curl -s -o "$work/communes.csv" -w "%{time_total} s, %{size_download} bytes\n" "http://127.0.0.1:$port/communes.csv"
done
grep -E "VmRSS|VmHWM" "/proc/$pid/status"
echo "== export of all communes of France (XLSX: made once, then kept), 3 times"
for i in 1 2 3; do
  curl -s -o "$work/communes.xlsx" -w "%{time_total} s, %{size_download} bytes\n" "http://127.0.0.1:$port/communes.xlsx"
done
grep -E "VmRSS|VmHWM" "/proc/$pid/status"
echo "== a commune fiche, one connection per core (latency without queueing)"
wrk -t2 -c2 -d"${duration}s" --latency "http://127.0.0.1:$port/commune/montpellier-34172" | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
echo "== a commune fiche"
wrk -t2 -c32 -d"${duration}s" --latency "http://127.0.0.1:$port/commune/montpellier-34172" | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
echo "== deep fiches of the other levels (issue 17)"
for path in /epci/montpellier-mediterranee-metropole-243400017 /departement/herault-34 /region/occitanie-76; do
  echo "== wrk -t2 -c32 -d${duration}s $path"
  wrk -t2 -c32 -d"${duration}s" --latency "http://127.0.0.1:$port$path" | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
done
for path in /epci/montpellier-mediterranee-metropole-243400017 /departement/herault-34 /region/occitanie-76; do
  echo "== wrk -t2 -c2 -d${duration}s $path (one connection per core)"
  wrk -t2 -c2 -d"${duration}s" --latency "http://127.0.0.1:$port$path" | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
done
echo "== first (uncached) build of a région fiche"
curl -s -o /dev/null -w "%{time_total} s\n" "http://127.0.0.1:$port/region/nouvelle-aquitaine-75"
echo "== figures in context (issue 18): tables made at start, in the background"
grep -o "ranks and reference values ready in .*" "$work/serve.log" | tail -n 1
for path in "/commune/montpellier-34172" "/commune/paris-75056" "/classements/densite?niveau=commune&dans=DEP-31" "/classements?carte=taux_chomage_15_64" "/departement/pas-de-calais-62?carte=revenu_median" "/region/nouvelle-aquitaine-75?carte=densite"; do
  echo "== page weight, uncompressed: $path"
  curl -s -o /dev/null -w "%{size_download} bytes, %{time_total} s\n" "http://127.0.0.1:$port$path"
done
for path in "/classements/revenu_median?niveau=commune" "/classements/densite.csv?niveau=commune" "/departement/pas-de-calais-62?carte=revenu_median"; do
  echo "== wrk -t2 -c2 -d${duration}s $path"
  wrk -t2 -c2 -d"${duration}s" --latency "http://127.0.0.1:$port$path" | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
done
echo "== memory of the server at the end"
grep -E "VmRSS|VmHWM" "/proc/$pid/status"
