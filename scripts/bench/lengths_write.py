#!/usr/bin/env python3
"""What the packed document lengths (migration ticket-search-lengths: `ticket_search_staff_length`,
the `search_length_*` triggers on ticket, response and ticket_search_split, the view
`search_length_of`) cost a write: one reply on a ticket with N replies, as respond.py measures it
(its own transaction, the same INSERT, WAL, synchronous=NORMAL), in a desk with the triggers and
in a copy without them (table, view and triggers dropped), alternated.

    python3 scripts/bench/lengths_write.py [--support .build/release/support] [--replies 0,200] [--runs 48] [--rounds 3]
"""
import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from respond import ROOT, base_desk, measure  # noqa: E402


def without_lengths(path):
    db = sqlite3.connect(path, isolation_level=None)
    names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_length%'")]
    assert names, "no lengths' triggers in the file"
    for name in names:
        db.execute(f'DROP TRIGGER "{name}"')
    db.execute("DROP VIEW search_length_of")
    for index in ("ticket_search", "ticket_search_staff"):
        db.execute(f'DROP TABLE IF EXISTS "{index}_length"')
    db.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--support", default=os.path.join(ROOT, ".build/release/support"))
    parser.add_argument("--replies", default="0,200")
    parser.add_argument("--runs", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="lengths-bench-")
    try:
        base = base_desk(args.support, work)
        print(f"sqlite {sqlite3.sqlite_version}; {args.runs} replies each, one transaction each, {args.rounds} rounds; medians in ms")
        print("| replies before | with the lengths | without |")
        print("|---:|---:|---:|")
        for n in [int(x) for x in args.replies.split(",")]:
            times = {"with": [], "without": []}
            for r in range(args.rounds):
                for kind in (("with", "without") if r % 2 == 0 else ("without", "with")):
                    path = os.path.join(work, f"{kind}-{n}-{r}.db")
                    shutil.copy(base, path)
                    if kind == "without":
                        without_lengths(path)
                    times[kind] += measure(path, n, args.runs)
            print(f"| {n} | {statistics.median(times['with']):.3f} | {statistics.median(times['without']):.3f} |", flush=True)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
