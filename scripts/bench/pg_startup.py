#!/usr/bin/env python3
"""A short command's whole cost on PostgreSQL (issue 17: "a command against PostgreSQL on loopback
opens one connection (no pool) and its start-up is reported beside SQLite's"): the same desk on
both engines, interleaved run by run.

    PGPASSWORD=… python3 scripts/bench/pg_startup.py --sqlite FILE --url postgresql://USER@127.0.0.1:PORT/DB
        [--runs 21] [--bin .build/release/support]

Columns: `support --db FILE` (SQLite); `support --db postgresql://…` (which execs `support-pg`
beside it); `support-pg` called directly (no handover); `psql` connecting and answering the same
question (the floor of anything that opens a connection over TCP with SCRAM). Medians in ms.
Give both desks the same tickets (`support --db FILE db copy --to URL`).
"""
import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ROOT, run_once  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sqlite", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "support"))
    args = ap.parse_args()
    env = dict(os.environ)
    pg_bin = os.path.join(os.path.dirname(args.bin), "support-pg")
    newest = subprocess.run([args.bin, "--db", args.sqlite, "ticket", "list", "--limit", "1", "--ids"], env=env,
                            capture_output=True, text=True, check=True).stdout.split()[0]
    show_sql = (f"SELECT t.*, r.* FROM ticket t LEFT JOIN response r ON r.ticketId = t.id "
                f"WHERE t.ticketNumber = '{newest}' ORDER BY r.createdAt, r.id")
    list_sql = ("SELECT count(*) FROM ticket WHERE status IN (0, 1); SELECT ticketNumber, subject FROM ticket "
                "WHERE status IN (0, 1) ORDER BY createdAt DESC, id DESC LIMIT 1")
    cases = [
        (f"ticket show {newest}", ["ticket", "show", newest], show_sql),
        ("ticket list --limit 1", ["ticket", "list", "--limit", "1"], list_sql),
        ("settings get", ["settings", "get"], "SELECT key, value FROM setting"),
    ]
    print(f"| command ({args.runs} runs, median ms) | support, SQLite | support, PostgreSQL | support-pg, PostgreSQL | psql (connect + same query) |")
    print("|---|---:|---:|---:|---:|")
    for title, argv, sql in cases:
        times = {"sqlite": [], "pg": [], "pgdirect": [], "psql": []}
        for _ in range(args.runs):
            times["sqlite"].append(run_once([args.bin, "--db", args.sqlite] + argv, env)[0])
            times["pg"].append(run_once([args.bin, "--db", args.url] + argv, env)[0])
            times["pgdirect"].append(run_once([pg_bin, "--db", args.url] + argv, env)[0])
            times["psql"].append(run_once(["psql", "--no-psqlrc", "-qAt", "-d", args.url, "-c", sql], env)[0])
        m = {k: statistics.median(v) for k, v in times.items()}
        print(f"| `{title}` | {m['sqlite']:.1f} | {m['pg']:.1f} | {m['pgdirect']:.1f} | {m['psql']:.1f} |")


if __name__ == "__main__":
    main()
