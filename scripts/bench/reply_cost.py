#!/usr/bin/env python3
"""What one public reply and one internal note cost at the SQLite level, with the full-text
triggers of two builds (issue 14: "writes keep their speed").

    python3 scripts/bench/reply_cost.py --before OLD_SUPPORT --after NEW_SUPPORT [--replies 0,10,200] [--runs 48]

Each binary makes its own database (its schema at its newest migration: the triggers are what
differ), with one ticket. For each N the ticket gets N replies (every third an internal note, as
a desk's long tickets have), then `runs` public replies and `runs` notes, each as `support
respond` writes one: its own transaction, the same INSERT, WAL with synchronous=NORMAL, commit;
the two files are written turn about, so that a change in the machine's speed hits both.
Python's sqlite3 uses the same system SQLite as `support`. Prints median, mean (a long ticket
re-indexes its documents every 16th reply: the mean carries that) and max, in ms, and checks
every full-text index of both files with FTS5's integrity-check at the end. Then, end to end,
`support respond` (a public reply, and `--internal`) run by each build on its own file with the
largest N, a new process each time, turn about: what an agent waits for.
"""
import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time

WORDS = ("printer invoice login crash slow email password network update refund screen driver "
         "account billing error timeout restart cable install license").split()


def reply_text(i):
    # About 40 words, like a short support reply.
    return " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] + ("s" if (i + k) % 5 == 0 else "") for k in range(40))


SQL = "INSERT INTO response (ticketId, message, respondedBy, isInternal, createdAt) VALUES (?, ?, ?, ?, ?)"


def make(binary, path, work):
    subprocess.run([binary, "--db", path, "ticket", "create", "--subject", "Printer offline",
                    "--category", "technical-issue", "--message", reply_text(0)],
                   env=dict(os.environ, HOME=work), check=True, stdout=subprocess.DEVNULL)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def fill(db, replies):
    author = db.execute("SELECT id FROM user LIMIT 1").fetchone()[0]
    ticket = db.execute("SELECT id FROM ticket ORDER BY id DESC LIMIT 1").fetchone()[0]
    db.execute("BEGIN")
    for i in range(replies):
        db.execute(SQL, (ticket, reply_text(i), author, 1 if i % 3 == 2 else 0, "2026-12-05 10:00:00.000"))
    db.execute("COMMIT")
    return ticket, author


def one(db, ticket, author, i, internal):
    start = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    db.execute(SQL, (ticket, reply_text(1000 + i), author, internal, "2026-12-05 11:00:00.000"))
    db.execute("COMMIT")
    return (time.perf_counter() - start) * 1000


def check(db):
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'")]
    for table in tables:
        db.execute(f"INSERT INTO {table}({table}, rank) VALUES('integrity-check', 1)")
    return tables


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--replies", default="0,10,200")
    parser.add_argument("--runs", type=int, default=48)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="reply-cost-")
    try:
        print(f"sqlite {sqlite3.sqlite_version}; {args.runs} of each, one transaction each; ms")
        print("| replies before | kind | build | median | mean | max |")
        print("|---:|---|---|---:|---:|---:|")
        for n in [int(x) for x in args.replies.split(",")]:
            dbs = {}
            for name, binary in (("before", args.before), ("after", args.after)):
                db = make(binary, os.path.join(work, f"{name}-{n}.db"), work)
                dbs[name] = (db, *fill(db, n))
            for kind, internal in (("public reply", 0), ("internal note", 1)):
                times = {"before": [], "after": []}
                for i in range(args.runs):
                    for name in (("before", "after") if i % 2 == 0 else ("after", "before")):
                        db, ticket, author = dbs[name]
                        times[name].append(one(db, ticket, author, i + (0 if internal == 0 else args.runs), internal))
                for name in ("before", "after"):
                    t = times[name]
                    print(f"| {n} | {kind} | {name} | {statistics.median(t):.3f} | {statistics.mean(t):.3f} | {max(t):.3f} |",
                          flush=True)
            for name, (db, _, _) in dbs.items():
                check(db)
                db.close()
        print("FTS5 integrity-check passed on every full-text table of both files")
        n = max(int(x) for x in args.replies.split(","))
        print(f"\nend to end, `support respond` on the ticket of {n}+ replies, a new process each; ms")
        print("| kind | build | median | mean | max |")
        print("|---|---|---:|---:|---:|")
        env = dict(os.environ, HOME=work, NO_COLOR="1")
        for flags, kind in (([], "public reply"), (["--internal"], "internal note")):
            times = {"before": [], "after": []}
            for i in range(args.runs):
                for name in (("before", "after") if i % 2 == 0 else ("after", "before")):
                    binary = args.before if name == "before" else args.after
                    argv = [binary, "--db", os.path.join(work, f"{name}-{n}.db"), "respond", "ST-%d-001" % time.gmtime().tm_year,
                            "--message", reply_text(5000 + i)] + flags
                    start = time.perf_counter()
                    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
                    times[name].append((time.perf_counter() - start) * 1000)
            for name in ("before", "after"):
                t = times[name]
                print(f"| {kind} | {name} | {statistics.median(t):.3f} | {statistics.mean(t):.3f} | {max(t):.3f} |", flush=True)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
