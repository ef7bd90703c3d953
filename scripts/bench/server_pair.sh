#!/usr/bin/env bash
# Issue 17: `support serve` reads with two server processes on one PostgreSQL desk, against the
# SQLite server's rate (scripts/bench/server.sh). Two release support-server processes on
# loopback ports over DESK (a postgresql:// address; the password in PGPASSWORD), `notify flush`
# beside them every second, and two wrk processes at once (1 thread, 32 connections each: the
# 2 threads and 64 connections of server.sh, split), one per server. Prints each wrk report and
# the sum of their requests/s.
#
#     swift build -c release --static-swift-stdlib --product support-pg --product support-server (one at a time)
#     scripts/bench/server_pair.sh DESK [SECONDS] [BIN_DIR]
set -euo pipefail
db=$1; seconds=${2:-20}; bin=${3:-.build/release}
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 69; }
work=$(mktemp -d)
# The flusher loop's running `notify flush` too: killing the loop alone left it sending (and
# holding the write lock now and then) long after the run.
trap 'kill $(pgrep -P "${flusher:-0}" 2>/dev/null) $server0 $server1 $flusher 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
. "$root/scripts/bench/server_desk.sh"
for i in 0 1; do
    "$bin/support" --db "$db" serve --listen 127.0.0.1:0 --auth-failure-limit 1000000 >"$work/listen$i" 2>"$work/server$i.log" &
    eval "server$i=$!"
done
for i in 0 1; do
    for _ in $(seq 1 100); do grep -q '^listening on ' "$work/listen$i" 2>/dev/null && break; sleep 0.1; done
done
base0="http://$(sed -n 's/^listening on //p' "$work/listen0")"
base1="http://$(sed -n 's/^listening on //p' "$work/listen1")"
( while true; do "$bin/support" --db "$db" notify flush --quiet >/dev/null 2>&1 || true; sleep 1; done ) &
flusher=$!
auth="Authorization: Bearer $token"
measure() {
    local path=$1
    wrk -t1 -c32 -d"${seconds}s" --latency -H "$auth" "$base0$path" >"$work/wrk0" &
    local first=$!
    wrk -t1 -c32 -d"${seconds}s" --latency -H "$auth" "$base1$path" >"$work/wrk1"
    wait $first
    cat "$work/wrk0" "$work/wrk1"
    python3 - "$work/wrk0" "$work/wrk1" <<'PY'
import re, sys
rates, p99s, errors = [], [], 0
for name in sys.argv[1:]:
    text = open(name).read()
    rates.append(float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)))
    p99s.append(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors += int(m.group(1)) if m else 0
print(f"both servers: {sum(rates):,.0f} requests/s ({' + '.join(f'{r:,.0f}' for r in rates)}), p99 {' / '.join(p99s)}, non-2xx {errors}")
PY
}
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== GET /api/support/tickets?status=open"
measure "/api/support/tickets?status=open"
echo "== GET /api/support/tickets/$number"
measure "/api/support/tickets/$number"
echo "== CPU by process kind during 10 s of GET /api/support/tickets/$number (both servers)"
# This desk's backends only (the process title names the database), not other databases' in the cluster.
dbname=${db%%\?*}; dbname=${dbname##*/}
snapshot() { for pid in $(pgrep -f "support-server|postgres: [^ ]+ $dbname " || true); do
    printf '%s %s\n' "$(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null | cut -c1-14)" "$(awk '{print $14 + $15}' /proc/$pid/stat 2>/dev/null || echo 0)"; done; }
snapshot >"$work/before"
wrk -t1 -c32 -d10s -H "$auth" "$base0/api/support/tickets/$number" >"$work/cpu0" &
other=$!
wrk -t1 -c32 -d10s -H "$auth" "$base1/api/support/tickets/$number" >"$work/cpu1"
wait $other
snapshot >"$work/after"
python3 - "$work/before" "$work/after" "$(getconf CLK_TCK)" "$work/cpu0" "$work/cpu1" <<'PY'
import re, sys, collections
def read(name):
    totals = collections.Counter()
    for line in open(name):
        kind, _, ticks = line.rstrip().rpartition(" ")
        totals["postgres backends" if kind.startswith("postgres") else "support-server"] += float(ticks or 0)
    return totals
before, after, hz = read(sys.argv[1]), read(sys.argv[2]), float(sys.argv[3])
requests = sum(int(re.search(r"(\d+) requests in", open(name).read()).group(1)) for name in sys.argv[4:6])
print(f"{requests:,} requests in the 10 s")
for kind in sorted(after):
    seconds = (after[kind] - before[kind]) / hz
    print(f"{kind}: {seconds:.2f} s of CPU in 10 s, {seconds * 1000 / max(requests, 1):.3f} ms a request")
PY
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
