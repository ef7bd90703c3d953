#!/usr/bin/env python3
"""How long migration `ticket-search-notes-index-of-their-own` takes on an existing file.

    python3 scripts/bench/migrate.py [--tickets 1000000] [--bin .build/release/support] [--keep DIR]

A file of N tickets from scripts/bench/generate.py (uniform words) is imported with `--bin`,
turned back into the schema before the migration (notes.py's `to_before`: v10's full-text
objects, notes in the tickets' documents), checkpointed, and then opened by `support ticket list`,
which migrates it: that run's wall time, less the median of three runs of the same command on
the migrated file, is the migration's. Prints both, the file's size and the rows indexed.
`--keep DIR` keeps the imported file there (`DIR/tickets-N.db`) and reuses it on the next run.
"""
import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notes import to_before  # noqa: E402
from run import ROOT, run_once  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1000000)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release/support"))
    parser.add_argument("--keep", default=None)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="migrate-bench-")
    try:
        env = dict(os.environ, HOME=work)
        env.pop("SUPPORT_DB", None)
        env.pop("SUPPORT_AS", None)
        source = os.path.join(args.keep or work, f"tickets-{args.tickets}.db")
        if not os.path.exists(source):
            started = time.perf_counter()
            gen = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts/bench/generate.py"), str(args.tickets)],
                                   stdout=subprocess.PIPE)
            subprocess.run([args.bin, "--db", source + ".tmp", "ticket", "import"], stdin=gen.stdout, env=env, check=True,
                           stdout=subprocess.DEVNULL)
            gen.wait()
            subprocess.run(["sqlite3", source + ".tmp", "PRAGMA wal_checkpoint(TRUNCATE);"], check=True, stdout=subprocess.DEVNULL)
            os.rename(source + ".tmp", source)
            print(f"imported {args.tickets} tickets in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        path = os.path.join(work, "before.db")
        shutil.copy(source, path)
        started = time.perf_counter()
        to_before(path)
        print(f"turned back into the schema before in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        db = sqlite3.connect(path)
        tickets = db.execute("SELECT count(*) FROM ticket").fetchone()[0]
        replies = db.execute("SELECT count(*) FROM response").fetchone()[0]
        notes = db.execute("SELECT count(*) FROM response WHERE isInternal = 1").fetchone()[0]
        db.close()
        size = os.path.getsize(path)
        argv = [args.bin, "--db", path, "ticket", "list", "--status", "all"]
        migrating, rss = run_once(argv, env)
        after = [run_once(argv, env)[0] for _ in range(3)]
        db = sqlite3.connect(path)
        done = db.execute("SELECT count(*) FROM grdb_migrations WHERE identifier = 'ticket-search-notes-index-of-their-own'").fetchone()[0]
        for table in ("ticket_search", "ticket_search_reply", "ticket_search_note"):
            db.execute(f"INSERT INTO {table}({table}, rank) VALUES('integrity-check', 1)")
        db.close()
        if done != 1:
            raise SystemExit("the migration did not run")
        print(f"sqlite {sqlite3.sqlite_version}; {tickets} tickets, {replies} replies of which {notes} internal notes; "
              f"file {size / 2**20:.0f} MiB before")
        print(f"| first run (migrates) ms | later runs, median ms | migration s | peak RSS MiB |")
        print(f"|---:|---:|---:|---:|")
        base = statistics.median(after)
        print(f"| {migrating:.0f} | {base:.0f} | {(migrating - base) / 1000:.1f} | {rss / 1024:.1f} |")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
