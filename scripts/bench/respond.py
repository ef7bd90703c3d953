#!/usr/bin/env python3
"""What one reply costs at the SQLite level, on a ticket with many replies, before and after
migration v10 (search tails).

    python3 scripts/bench/respond.py [--support .build/release/support] [--replies 0,200,300] [--runs 48]

`support` makes a database (its schema at the newest migration, v10); a copy is turned back into
v9's full-text design: tails folded, the v10 objects dropped, v9's view and triggers created from
`ticketSearchSchema` in Sources/SupportCore/Store/TicketSearchSchema.swift. In each file a ticket
gets N replies, then `runs` more, each as `support respond` writes one: its own transaction, the
same INSERT, WAL with synchronous=NORMAL, commit. Python's sqlite3 uses the same system SQLite as
`support`. Prints the median, mean (v10 re-indexes the whole ticket every 16th reply: the mean
carries that) and the largest, in ms. Only the triggers differ between the two files.
"""
import argparse
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, "Sources/SupportCore/Store/TicketSearchSchema.swift")
WORDS = ("printer invoice login crash slow email password network update refund screen driver "
         "account billing error timeout restart cable install license").split()


def swift_string(name):
    text = open(SCHEMA).read()
    start = text.index(f'static let {name} = """') + len(f'static let {name} = """')
    return text[start:text.index('"""', start)].replace("\\\\", "\\")


def to_v9(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DELETE FROM ticket_search_split")  # folds every tail back (the v10 triggers)
    names = db.execute("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view') "
                       "AND (name LIKE 'ticket_search%' OR name LIKE 'response_search%')").fetchall()
    for kind, name in names:
        db.execute(f'DROP {kind.upper()} "{name}"')
    db.execute("DROP TABLE ticket_search_reply")
    db.execute("DROP TABLE ticket_search_split")
    # v9's schema without its opening DROPs of v3's objects, which are long gone.
    v9 = swift_string("ticketSearchSchema")
    v9 = v9[v9.index("CREATE VIEW ticket_search_document"):]
    # and without the full-text table itself, which v10 kept as it was.
    v9 = re.sub(r"CREATE VIRTUAL TABLE ticket_search USING[^;]*;", "", v9)
    db.executescript(v9)
    db.execute("INSERT INTO ticket_search(ticket_search, rank) VALUES('integrity-check', 1)")
    db.close()


def reply_text(i):
    # About 40 words, like a short support reply.
    return " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] + ("s" if (i + k) % 5 == 0 else "") for k in range(40))


def measure(path, replies, runs):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = NORMAL")
    author = db.execute("SELECT id FROM user LIMIT 1").fetchone()[0]
    ticket = db.execute("SELECT id FROM ticket ORDER BY id DESC LIMIT 1").fetchone()[0]
    sql = "INSERT INTO response (ticketId, message, respondedBy, isInternal, createdAt) VALUES (?, ?, ?, 0, ?)"
    db.execute("BEGIN")
    for i in range(replies):
        db.execute(sql, (ticket, reply_text(i), author, "2026-12-05 10:00:00.000"))
    db.execute("COMMIT")
    times = []
    for i in range(runs):
        start = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute(sql, (ticket, reply_text(replies + i), author, "2026-12-05 11:00:00.000"))
        db.execute("COMMIT")
        times.append((time.perf_counter() - start) * 1000)
    db.execute("INSERT INTO ticket_search(ticket_search, rank) VALUES('integrity-check', 1)")
    db.close()
    return times


def base_desk(support, work):
    """A desk in `work` with one ticket, made by `support`: the file the benchmarks copy."""
    base = os.path.join(work, "base.db")
    subprocess.run([support, "--db", base, "ticket", "create", "--subject", "Printer offline",
                    "--category", "technical-issue", "--message", reply_text(0)],
                   env=dict(os.environ, HOME=work), check=True, stdout=subprocess.DEVNULL)
    return base


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--support", default=os.path.join(ROOT, ".build/release/support"))
    parser.add_argument("--replies", default="0,200,300")
    parser.add_argument("--runs", type=int, default=48)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="respond-bench-")
    try:
        base = base_desk(args.support, work)
        print(f"sqlite {sqlite3.sqlite_version}; {args.runs} replies each, one transaction each; ms")
        print("| replies before | schema | median | mean | max |")
        print("|---:|---|---:|---:|---:|")
        for n in [int(x) for x in args.replies.split(",")]:
            for schema in ("v9", "v10"):
                path = os.path.join(work, f"{schema}-{n}.db")
                shutil.copy(base, path)
                if schema == "v9":
                    to_v9(path)
                t = measure(path, n, args.runs)
                print(f"| {n} | {schema} | {statistics.median(t):.3f} | {statistics.mean(t):.3f} | {max(t):.3f} |", flush=True)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
