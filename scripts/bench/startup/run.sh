#!/bin/sh
# What an async main costs a command's start-up: two minimal programs, the same work, one with a
# synchronous main and one with an async main, built as `support` is released (-O, static Swift
# standard library), run interleaved (docs/architecture.md, "The store protocol is synchronous").
#   sh scripts/bench/startup/run.sh [RUNS]
set -e
cd "$(dirname "$0")"
out=$(mktemp -d)
swiftc -O -parse-as-library -static-stdlib sync.swift -o "$out/sync" 2>/dev/null
swiftc -O -parse-as-library -static-stdlib async.swift -o "$out/async" 2>/dev/null
python3 - "$out/sync" "$out/async" "${1:-300}" <<'PY'
import statistics, subprocess, sys, time
progs, runs = sys.argv[1:3], int(sys.argv[3])
times = {p: [] for p in progs}
for _ in range(runs):
    for p in progs:
        t = time.perf_counter(); subprocess.run([p], stdout=subprocess.DEVNULL); times[p].append((time.perf_counter() - t) * 1000)
for p in progs:
    s = sorted(times[p])
    print(f"{p.rsplit('/', 1)[1]:6} median {statistics.median(s):.2f} ms, p10 {s[len(s) // 10]:.2f} ms")
PY
rm -rf "$out"
