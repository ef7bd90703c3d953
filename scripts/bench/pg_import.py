#!/usr/bin/env python3
"""`support ticket import` into an empty PostgreSQL desk (issue 17), beside the same file into an
empty SQLite desk, and beside what PostgreSQL's own `to_tsvector` takes to make documents of the
same texts in `psql` (the documents were made that way before `support` made them of SQLite's
tokens; the row shows what that step alone would cost the database).

    PGPASSWORD=… python3 scripts/bench/pg_import.py --url postgresql://USER@127.0.0.1:PORT/postgres
        [--size 20000] [--runs 3] [--bin PATH/support-pg] [--sqlite-bin PATH/support]

--url names a database to connect to for `CREATE DATABASE` (the role needs CREATEDB); each run
imports into a new database `support_bench_import` (dropped before and after). Prints, per run and
as medians: seconds, tickets/s, the importer's peak RSS; then the floor's seconds for the texts
of the last PostgreSQL run.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ROOT, run_once  # noqa: E402

DB = "support_bench_import"


def psql(url, sql):
    return subprocess.run(["psql", "--no-psqlrc", "-qAt", "-d", url, "-c", sql], capture_output=True, text=True, check=True).stdout.strip()


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--size", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "support-pg"))
    ap.add_argument("--sqlite-bin", default=None, help="the SQLite side's binary (default: --bin)")
    args = ap.parse_args()
    env = dict(os.environ)
    target = with_database(args.url, DB)

    with tempfile.TemporaryDirectory() as scratch:
        data = os.path.join(scratch, "tickets.ndjson")
        with open(data, "wb") as out:
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts/bench/generate.py"), str(args.size)], stdout=out, check=True)
        rows = {"postgresql": [], "sqlite": []}
        for run in range(args.runs):
            psql(args.url, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            psql(args.url, f"CREATE DATABASE {DB}")
            # The schema first (a second, untimed command), so the run times the import alone.
            run_once([args.bin, "--db", target, "settings", "get"], env)
            ms, rss = run_once([args.bin, "--db", target, "ticket", "import", "--file", data], env)
            rows["postgresql"].append((ms, rss))
            sqlite = os.path.join(scratch, f"run{run}.db")
            run_once([args.sqlite_bin or args.bin, "--db", sqlite, "settings", "get"], env)
            ms, rss = run_once([args.sqlite_bin or args.bin, "--db", sqlite, "ticket", "import", "--file", data], env)
            rows["sqlite"].append((ms, rss))
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(sqlite + suffix):
                    os.remove(sqlite + suffix)
            print(f"run {run + 1}: postgresql {rows['postgresql'][-1][0] / 1000:.2f} s, sqlite {rows['sqlite'][-1][0] / 1000:.2f} s",
                  file=sys.stderr)
        floor = []
        for _ in range(args.runs):
            out = subprocess.run(["psql", "--no-psqlrc", "-qAt", "-d", target, "-c", "\\timing on", "-c", """
                SELECT count(*) FROM (SELECT setweight(to_tsvector('support_search', t.subject), 'A')
                    || to_tsvector('support_search', t.message)
                    || coalesce((SELECT to_tsvector('support_search', string_agg(r.message, ' ' ORDER BY r.id))
                                 FROM response r WHERE r.ticketId = t.id), ''::tsvector) AS document
                    FROM ticket t OFFSET 0) s WHERE s.document IS NOT NULL"""], capture_output=True, text=True, check=True).stdout
            floor.append(float(out.split("Time: ")[1].split(" ms")[0]))
        psql(args.url, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")

    print(f"| {args.size:,} tickets, {args.runs} runs | median s | tickets/s | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    for engine in ("postgresql", "sqlite"):
        ms = statistics.median(r[0] for r in rows[engine])
        rss = max(r[1] for r in rows[engine]) / 1024
        print(f"| support ticket import, {engine} | {ms / 1000:.2f} | {args.size / (ms / 1000):,.0f} | {rss:.1f} |")
    ms = statistics.median(floor)
    print(f"| psql: to_tsvector of the same texts (PostgreSQL making the documents) | {ms / 1000:.2f} | {args.size / (ms / 1000):,.0f} | |")


if __name__ == "__main__":
    main()
