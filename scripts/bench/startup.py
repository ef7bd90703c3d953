#!/usr/bin/env python3
"""Start-up: several builds of `support` side by side with the sqlite3 shell, on short commands
and on the views of issue 14, interleaved run by run so that a change of load hits every column.

    python3 scripts/bench/startup.py --db FILE [--runs 15] [--views] BIN [BIN ...]

Short commands: `--version`, `ticket list --bogus` (refused before the database), `ticket show`
of the newest ticket, `ticket list --limit 1`. With --views, the views of issue 14
(scripts/bench/views.py's cases). Each row: the median wall time in ms of each build and of the
shell's same answer where there is one, with the load average before and after the row.

The file is used as it is (not copied): give each build a file it does not migrate, and only
list and show commands run on it. Builds nothing: build each BIN first (static release:
`swift build -c release --static-swift-stdlib --product support`).
"""
import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import views  # noqa: E402
from run import run_once, sqlite3  # noqa: E402


def loadavg():
    return os.getloadavg()[0]


def short_cases(binary, db):
    number = subprocess.run(["sqlite3", db, "SELECT ticketNumber FROM ticket ORDER BY id DESC LIMIT 1"],
                            capture_output=True, text=True, check=True).stdout.strip()
    show_sql = ("SELECT t.*, s.email FROM ticket t JOIN user s ON s.id = t.submittedBy "
                f"WHERE t.ticketNumber = '{number}'; SELECT r.*, u.email FROM response r JOIN ticket t ON t.id = r.ticketId JOIN user u ON u.id = r.respondedBy "
                f"WHERE t.ticketNumber = '{number}' ORDER BY r.id DESC LIMIT 50;")
    return [
        ("--version", lambda b: [b, "--version"], None),
        ("ticket list --bogus (exit 64)", lambda b: [b, "ticket", "list", "--bogus"], None),
        (f"ticket show {number} --json", lambda b: [b, "ticket", "show", number, "--db", db, "--json"], show_sql),
        ("ticket list --limit 1 --json", lambda b: [b, "ticket", "list", "--limit", "1", "--db", db, "--json"],
         views.queue_floor("t.status IN (0, 1)").replace("LIMIT 25", "LIMIT 1")),
    ]


def view_cases(binary, db):
    """views.py's cases with the binary made a parameter (their first word is the binary)."""
    return [(name, (lambda b, argv=argv: [b] + argv[1:]), sql) for name, argv, sql in views.cases(binary, db)]


def run_once_any(argv, env):
    """Like run.run_once, but a refused command line (exit 64) is a result, not a failure."""
    import time
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode not in (0, 64):
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True, help="a database every BIN reads without migrating it")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--views", action="store_true", help="also the views of issue 14")
    ap.add_argument("bins", nargs="+", metavar="BIN")
    args = ap.parse_args()
    env = dict(os.environ, NO_COLOR="1")
    env.pop("SUPPORT_AS", None)
    cases = short_cases(args.bins[0], args.db) + (view_cases(args.bins[0], args.db) if args.views else [])
    names = [os.path.relpath(b) if len(b) < 40 else "…" + b[-38:] for b in args.bins]
    print("| command | " + " | ".join(f"`{n}` ms" for n in names) + " | sqlite3 ms | load |")
    print("|---" * (len(names) + 3) + "|")
    for name, argv, sql in cases:
        times = [[] for _ in args.bins]
        floor = []
        before = loadavg()
        for _ in range(args.runs):
            for index, binary in enumerate(args.bins):
                times[index].append(run_once_any(argv(binary), env))
            if sql:
                floor.append(run_once(sqlite3(args.db, sql), env)[0])
        medians = [statistics.median(t) for t in times]
        shell = f"{statistics.median(floor):.1f}" if floor else "—"
        print(f"| `{name}` | " + " | ".join(f"{m:.1f}" for m in medians) + f" | {shell} | {before:.2f}-{loadavg():.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
