#!/usr/bin/env bash
# The HTTP API under load (issue 16): wrk on loopback, 2 threads, 64 connections, against a
# release support-server over DB (e.g. 1M tickets: scripts/bench/generate.py 1000000 > t.ndjson;
# support --db DB ticket import --file t.ndjson), while `notify flush` runs beside it every
# second. Prints wrk's reports (requests/s, latency percentiles, non-2xx counts).
#
#     swift build -c release --product support --product support-server   (or one at a time)
#     scripts/bench/server.sh DB [SECONDS] [BIN_DIR]
#
# ONLY=list, ticket, create or paced (creates at ~500/s) runs those measurements; NO_FLUSH=1 leaves the flusher out.
set -euo pipefail
db=$1; seconds=${2:-20}; bin=${3:-.build/release}
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 69; }
work=$(mktemp -d)
# The flusher loop's running `notify flush` too: killing the loop alone left it sending (and
# holding the write lock now and then) long after the run.
trap 'kill $(pgrep -P "${flusher:-0}" 2>/dev/null) $server $flusher 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
. "$root/scripts/bench/server_desk.sh"
"$bin/support" --db "$db" serve --listen 127.0.0.1:0 --auth-failure-limit 1000000 >"$work/listen" 2>"$work/server.log" &
server=$!
for _ in $(seq 1 100); do grep -q '^listening on ' "$work/listen" 2>/dev/null && break; sleep 0.1; done
base="http://$(sed -n 's/^listening on //p' "$work/listen")"
flusher=
if [ "${NO_FLUSH:-0}" != 1 ]; then
    ( while true; do "$bin/support" --db "$db" notify flush --quiet >/dev/null 2>&1 || true; sleep 1; done ) &
    flusher=$!
fi
auth="Authorization: Bearer $token"
# wrk, then the server's own CPU time during the run (utime + stime of its process, which
# `support serve` became by exec) per request: what a request costs whatever else the cores do.
measure() {
    local before after requests
    before=$(awk '{print $14 + $15}' "/proc/$server/stat")
    wrk -t2 -c64 -d"${seconds}s" --latency -H "$auth" "$@" | tee "$work/wrk"
    after=$(awk '{print $14 + $15}' "/proc/$server/stat")
    requests=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$work/wrk")
    python3 -c "import sys; t = ($after - $before) / $(getconf CLK_TCK); n = int(sys.argv[1] or 0)
print(f'server CPU: {t:.2f} s for {n} requests = {1000 * t / max(n, 1):.3f} ms per request; load average: ' + ' '.join(open('/proc/loadavg').read().split()[:3]))" "$requests"
}
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
only=${ONLY:-list ticket create paced}
if [[ " $only " == *" list "* ]]; then
    echo "== GET /api/support/tickets?status=open"
    measure "$base/api/support/tickets?status=open"
fi
if [[ " $only " == *" ticket "* ]]; then
    echo "== GET /api/support/tickets/$number"
    measure "$base/api/support/tickets/$number"
fi
if [[ " $only " == *" create "* ]]; then
    echo "== POST /api/support/tickets (scripts/bench/create.lua)"
    measure -s "$root/scripts/bench/create.lua" "$base/api/support/tickets"
fi
if [[ " $only " == *" paced "* ]]; then
    echo "== POST /api/support/tickets at about 500 a second (scripts/bench/create_paced.lua)"
    measure -s "$root/scripts/bench/create_paced.lua" "$base/api/support/tickets"
fi
echo "== mail sent by the flusher beside: $(ls "$work/sink" | grep -c '\.eml$' || true)"
