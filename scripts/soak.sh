#!/usr/bin/env bash
# Soak under hostile load, loopback only and bounded in time: a release
# server on the embedded default data; 500 clients that ask for
# /communes.json and never read; 5,000 idle or half-open sockets; and,
# beside them, 60 s of wrk at 32 connections on a mix of territory
# search, fiches, uncached library searches and a small export
# (scripts/soak-mix.lua). Reports req/s, latency percentiles of the
# normal requests, non-2xx answers and errors, and the server's memory
# before, during and after.
# Usage: scripts/soak.sh [DURATION_SECONDS]   (default 60)
set -euo pipefail
duration="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
work="$(mktemp -d)"
pid=""; hostile=""
cleanup() { [ -n "$hostile" ] && kill "$hostile" 2>/dev/null; [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=18093
cat > "$work/soak.toml" <<TOML
[server]
bind = "127.0.0.1:$port"
[data]
dir = "$work/data"
[library]
schedule = false
TOML
ulimit -n "$(ulimit -Hn)"
"$root/target/release/opencollectivites" serve --config "$work/soak.toml" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 3000); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
rss() { awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status"; }
# Warm: what every export reads once (areas, contours).
curl -fs "http://127.0.0.1:$port/communes.json" -o /dev/null
echo "== machine: $(nproc) cores, $(date -u +%Y-%m-%d); memory idle: $(rss)"
# The hostile clients, for the duration plus a margin, then they leave.
python3 - "$port" "$((duration + 5))" <<'PY' &
import socket, sys, time
port, hold = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(500):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port)); s.sendall(b"GET /communes.json HTTP/1.1\r\nHost: x\r\n\r\n"); socks.append(s)
for i in range(5000):
    try:
        s = socket.socket(); s.connect(("127.0.0.1", port))
        if i % 2: s.sendall(b"GET / HTTP/1.1\r\nHo")
        socks.append(s)
    except OSError:
        break
print(f"== hostile clients: {len(socks)} sockets (500 stalled exports, the rest idle or half-open)", flush=True)
time.sleep(hold)
PY
hostile=$!
sleep 3
echo "== wrk -t2 -c32 -d${duration}s on the normal mix, beside them"
wrk -t2 -c32 -d"${duration}s" --timeout 5s --latency -s "$root/scripts/soak-mix.lua" "http://127.0.0.1:$port" | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx|Socket errors"
echo "== memory during: $(rss)"
wait "$hostile" || true; hostile=""
sleep 10
echo "== memory after the hostile clients left: $(rss)"
curl -fs -o /dev/null -w "== /healthz after: %{http_code}\n" "http://127.0.0.1:$port/healthz"
