#!/usr/bin/env python3
"""The sqlite3 shell's floor for combos.py's `--sort relevance` lines: the same question asked of
the same file with FTS5's own bm25() and SQLite's sorter (the total, and the page's ids in the
order `ORDER BY bm25(ticket_search_staff, 10.0, 1.0, 1.0) [DESC], rowid DESC`, the filters
checked on each hit's ticket). Prints the median wall time of `runs` runs of
`sqlite3 -readonly DB SQL` (the shell's start-up included, as the command's is).

    python3 scripts/bench/relevance_floor.py [--db .build-bench/views-uniform-1000000.db] [--runs 5]
"""
import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ROOT, run_once  # noqa: E402

# (the combos.py line, the MATCH, the conditions on `ticket t`, reverse, page); limit 25
LINES = [
    ("--search button --priority critical --sort relevance --page 1000", '("button")', "t.priority = 4 AND t.status IN (0, 1)", False, 1000),
    ("--search button --status all --sort relevance --reverse", '("button")', "", True, 1),
    ("--search printer --status all --sort relevance", '("printer")', "", False, 1),
    ("--search refund --status all --sort relevance --page 1000", '("refund")', "", False, 1000),
    ('--search "button refund" --status all --sort relevance', '("button" AND "refund")', "", False, 1),
    ('--search "printer invoice" --status all --sort relevance --reverse --page 200', '("printer" AND "invoice")', "", True, 200),
    ("--search qcoto --status all --sort relevance --page 100", '("qcoto")', "", False, 100),
    ("--search printer --status closed --category bug-report --sort relevance --page 1000", '("printer")',
     "t.status = 3 AND t.category = 'bug-report'", False, 1000),
    ("--search refund --assignee none --priority high --status all --sort relevance --reverse --page 1000", '("refund")',
     "t.assignedTo IS NULL AND t.priority = 3", True, 1000),
    ('--search "button refund" --status open --sort relevance --page 500', '("button" AND "refund")', "t.status = 0", False, 500),
]


def sql_for(match, conditions, reverse, page):
    index = "ticket_search_staff"
    quoted = match.replace("'", "''")
    direction = "DESC" if reverse else "ASC"
    if conditions:
        source = f"FROM {index} f JOIN ticket t ON t.id = f.rowid WHERE f.{index} MATCH '{quoted}' AND {conditions}"
    else:
        source = f"FROM {index} f WHERE f.{index} MATCH '{quoted}'"
    return (f"SELECT count(*) {source}; SELECT f.rowid {source} ORDER BY bm25(f.{index}, 10.0, 1.0, 1.0) {direction}, f.rowid DESC"
            f" LIMIT 25 OFFSET {(page - 1) * 25};")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=os.path.join(ROOT, ".build-bench", "views-uniform-1000000.db"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"{args.db}, sqlite3 shell, {args.runs} runs each, medians")
    print("| `ticket list …` | shell ms |")
    print("|---|---:|")
    for line, match, conditions, reverse, page in LINES:
        argv = ["sqlite3", "-readonly", args.db, sql_for(match, conditions, reverse, page)]
        subprocess.run(argv, capture_output=True, check=True)
        median = statistics.median(run_once(argv, os.environ)[0] for _ in range(args.runs))
        print(f"| `{line}` | {median:.1f} |", flush=True)


if __name__ == "__main__":
    main()
