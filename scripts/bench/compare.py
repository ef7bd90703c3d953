#!/usr/bin/env python3
"""Two builds of `support` side by side on the same file: a refactoring's before and after.

    python3 scripts/bench/compare.py BEFORE_BINARY AFTER_BINARY [--size 100000] [--runs 21]

Makes one database of `--size` tickets (scripts/bench/generate.py, imported by BEFORE; cached in
.build-bench/), then runs each command with the two binaries interleaved run by run on that file
(so both see the same machine, the same cache and the same growth from the writes), and prints
the median of each and after / before. A refactoring that must not change speed should stay
within a few per cent on every row; the machine's own drift is what the interleaving cancels.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(ROOT, ".build-bench")


def timed(argv, env, stdin=None):
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode not in (0, 75):
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[:300]}")
    return elapsed


def dataset(binary, size, env):
    os.makedirs(WORK, exist_ok=True)
    db = os.path.join(WORK, f"compare-{size}.db")
    if not os.path.exists(db):
        gen = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts/bench/generate.py"), str(size)], stdout=subprocess.PIPE)
        subprocess.run([binary, "ticket", "import", "--db", db + ".tmp"], stdin=gen.stdout, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        gen.wait()
        subprocess.run(["sqlite3", db + ".tmp", "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;"], check=True, stdout=subprocess.DEVNULL)
        os.rename(db + ".tmp", db)
    return db


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--size", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    env = dict(os.environ, SUPPORT_BUSY_TIMEOUT="30")
    env.pop("SUPPORT_AS", None)
    db = dataset(args.before, args.size, env)
    sql = lambda q: subprocess.run(["sqlite3", db, q], capture_output=True, text=True, check=True).stdout.strip()
    number = sql("SELECT ticketNumber FROM ticket ORDER BY id DESC LIMIT 1")
    busy = sql("SELECT t.ticketNumber FROM ticket t JOIN response r ON r.ticketId = t.id GROUP BY t.id ORDER BY count(*) DESC LIMIT 1")
    staff = sql("SELECT email FROM user WHERE role = 'admin' AND email <> 'operator@localhost' LIMIT 1") or None
    common = ["--db", db]
    commands = [
        ("version", ["--version"], None),
        ("list --status open", ["ticket", "list", "--status", "open"] + common, None),
        ("list --json --page 50", ["ticket", "list", "--json", "--page", "50"] + common, None),
        ("list --search printer", ["ticket", "list", "--search", "printer"] + common, None),
        ("show (most replies)", ["ticket", "show", busy, "--all"] + common, None),
        ("show --json", ["ticket", "show", number, "--json"] + common, None),
        ("stats", ["stats"] + common, None),
        ("audit", ["audit"] + common, None),
        ("notify flush --dry-run", ["notify", "flush", "--dry-run"] + common, None),
        ("create", ["ticket", "create", "--subject", "Bench", "--message", "A benchmark ticket.", "--category",
                    "general-inquiry", "--requester", "bench@example.test"] + common, None),
        ("respond", ["respond", number, "--message", "A benchmark reply."] + (["--as", staff] if staff else []) + common, None),
        ("update", ["ticket", "update", number, "--priority", "high"] + common, None),
    ]
    print(f"# {args.size:,} tickets, {args.runs} runs each, interleaved; medians in ms", file=sys.stderr)
    print("| command | before ms | after ms | after / before |")
    print("|---|---:|---:|---:|")
    for name, argv, stdin in commands:
        before, after = [], []
        for _ in range(args.runs):
            before.append(timed([args.before] + argv, env, stdin))
            after.append(timed([args.after] + argv, env, stdin))
        b, a = statistics.median(before), statistics.median(after)
        print(f"| {name} | {b:.2f} | {a:.2f} | {a / b:.3f} |", flush=True)


if __name__ == "__main__":
    main()
