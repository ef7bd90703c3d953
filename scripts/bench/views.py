#!/usr/bin/env python3
"""The views of issue 14 (search and queues), `support` against the sqlite3 shell answering the
same question from the same file (the floor), on both generated data sets.

    python3 scripts/bench/views.py [--sizes 10000,100000] [--words uniform,zipf] [--runs 9]
                                   [--bin .build/release/support]

For each size and word spread (scripts/bench/generate.py --words), a database is imported once
with `support ticket import` (cached in .build-bench/views-WORDS-SIZE.db; no ANALYZE, as a desk's
file has none), then each view runs `runs` times as a user runs it (a new process, `--json`),
interleaved with the shell. Prints a Markdown table: medians in ms, the ratio, the largest peak
RSS of `support`, and the view's total (hits). Builds nothing: make the release build first
(`swift build -c release --product support`).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402
from run import ROOT, run_once, sqlite3  # noqa: E402

WORK = os.path.join(ROOT, ".build-bench")
RARE = generate.rare_word(3000)  # rank 3,041 of the zipf vocabulary: in a few tickets


def dataset(binary, size, words, env):
    os.makedirs(WORK, exist_ok=True)
    db = os.path.join(WORK, f"views-{words}-{size}.db")
    if os.path.exists(db):
        return db
    tmp = db + ".tmp"
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(tmp + suffix):
            os.remove(tmp + suffix)
    gen = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts/bench/generate.py"), str(size), "--words", words],
                           stdout=subprocess.PIPE)
    subprocess.run([binary, "ticket", "import", "--db", tmp], stdin=gen.stdout, env=env, check=True, stdout=subprocess.DEVNULL)
    gen.wait()
    subprocess.run(["sqlite3", tmp, "PRAGMA wal_checkpoint(TRUNCATE);"], check=True, stdout=subprocess.DEVNULL)
    os.rename(tmp, db)
    return db


PAGE = ("SELECT t.ticketNumber, t.subject, s.email, a.email, t.status, t.priority, t.createdAt, t.updatedAt "
        "FROM {source} JOIN user s ON s.id = t.submittedBy LEFT JOIN user a ON a.id = t.assignedTo "
        "WHERE {where} ORDER BY {order} LIMIT 25;")
NEWEST = "t.createdAt DESC, t.id DESC"


STAFF = "ticket_search_staff"  # staff's documents: subject, public text, internal notes (one per ticket)
PUBLIC = "ticket_search"  # a requester's: subject and public text


def search_floor(words, extra="", index=STAFF, order="f.rowid DESC"):
    """The issue's floor: one MATCH on one document per ticket (rowid = ticket id)."""
    match = "(" + " AND ".join(words.split()) + ")"
    if extra:
        count = f"SELECT count(*) FROM {index} f JOIN ticket t ON t.id = f.rowid WHERE f.{index} MATCH '{match}' AND {extra};"
    else:
        count = f"SELECT count(*) FROM {index} WHERE {index} MATCH '{match}';"
    page = PAGE.format(source=f"{index} f JOIN ticket t ON t.id = f.rowid",
                       where=f"f.{index} MATCH '{match}'" + (f" AND {extra}" if extra else ""), order=order)
    return count + page


def requester_floor(words, who):
    """A requester's search: their few tickets, each looked up in the public documents by id."""
    match = "(" + " AND ".join(words.split()) + ")"
    where = f"t.submittedBy = {who} AND f.{PUBLIC} MATCH '{match}'"
    source = f"ticket t CROSS JOIN {PUBLIC} f ON f.rowid = t.id"
    return f"SELECT count(*) FROM {source} WHERE {where};" + PAGE.format(source=source, where=where, order=NEWEST)


def queue_floor(where, order=NEWEST):
    return f"SELECT count(*) FROM ticket t WHERE {where};" + PAGE.format(source="ticket t", where=where, order=order)


def cases(binary, db):
    requester = subprocess.run(["sqlite3", db, "SELECT email FROM user WHERE role = 'user' ORDER BY id LIMIT 1 OFFSET 7"],
                               capture_output=True, text=True, check=True).stdout.strip()
    list_ = [binary, "ticket", "list", "--db", db, "--json"]
    mine = [binary, "--as", requester, "ticket", "list", "--db", db, "--json"]
    who = f"(SELECT id FROM user WHERE email = '{requester}')"
    agent = "(SELECT id FROM user WHERE email = 'agent0@example.com')"
    return [
        ('--search "printer invoice" --status all', list_ + ["--search", "printer invoice", "--status", "all"],
         search_floor("printer invoice")),
        ("--search printer --status all", list_ + ["--search", "printer", "--status", "all"], search_floor("printer")),
        (f"--search RARE ({RARE}) --status all", list_ + ["--search", RARE, "--status", "all"], search_floor(RARE)),
        ('--search "printer invoice" (open, in progress)', list_ + ["--search", "printer invoice"],
         search_floor("printer invoice", "t.status IN (0, 1)")),
        ("--search printer --status all --sort updated", list_ + ["--search", "printer", "--status", "all", "--sort", "updated"],
         f"SELECT count(*) FROM {STAFF} WHERE {STAFF} MATCH 'printer';"
         + PAGE.format(source=f"ticket t CROSS JOIN {STAFF} f ON f.rowid = t.id", where=f"f.{STAFF} MATCH 'printer'",
                       order="t.updatedAt DESC, t.id DESC")),
        ('--search "printer invoice" --status all --sort relevance',
         list_ + ["--search", "printer invoice", "--status", "all", "--sort", "relevance"],
         search_floor("printer invoice", order=f"bm25(f.{STAFF}, 10.0, 1.0, 1.0), t.id DESC")),
        ('requester: --search "printer invoice" --status all', mine + ["--search", "printer invoice", "--status", "all"],
         requester_floor("printer invoice", who)),
        (f"requester: --search RARE ({RARE}) --status all", mine + ["--search", RARE, "--status", "all"],
         requester_floor(RARE, who)),
        ("--assignee none --status open", list_ + ["--assignee", "none", "--status", "open"],
         queue_floor("t.status = 0 AND t.assignedTo IS NULL")),
        ("--status open --sort updated", list_ + ["--status", "open", "--sort", "updated"],
         queue_floor("t.status = 0", "t.updatedAt DESC, t.id DESC")),
        ("--assignee none --category bug-report", list_ + ["--assignee", "none", "--category", "bug-report"],
         queue_floor("t.category = 'bug-report' AND t.assignedTo IS NULL AND t.status IN (0, 1)")),
        ("--status open", list_ + ["--status", "open"], queue_floor("t.status = 0")),
        ("--requester EMAIL --status all --sort updated", list_ + ["--requester", requester, "--status", "all", "--sort", "updated"],
         queue_floor(f"t.submittedBy = {who}", "t.updatedAt DESC, t.id DESC")),
        ("--assignee EMAIL --status all --sort priority", list_ + ["--assignee", "agent0@example.com", "--status", "all", "--sort", "priority"],
         queue_floor(f"t.assignedTo = {agent}", "t.priority DESC, t.createdAt DESC, t.id DESC")),
        ("--since 2026-10-01 --status all --sort updated", list_ + ["--since", "2026-10-01", "--status", "all", "--sort", "updated"],
         queue_floor("+t.createdAt >= '2026-10-01'", "t.updatedAt DESC, t.id DESC")),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--words", default="uniform,zipf")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "support"))
    args = ap.parse_args()
    env = dict(os.environ, NO_COLOR="1")
    env.pop("SUPPORT_AS", None)
    print("| view | words | tickets | total | support ms | sqlite3 ms | ratio | peak RSS MiB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for size in [int(s) for s in args.sizes.split(",")]:
        for words in args.words.split(","):
            source = dataset(args.bin, size, words, env)
            db = source + ".bench"
            for suffix in ("", "-wal", "-shm", ".lock"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
            shutil.copyfile(source, db)
            for name, argv, sql in cases(args.bin, db):
                out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
                total = json.loads(out)["pagination"]["total"]
                ours, floor, rss = [], [], []
                for _ in range(args.runs):
                    t, m = run_once(argv, env)
                    ours.append(t)
                    rss.append(m)
                    floor.append(run_once(sqlite3(db, sql), env)[0])
                a, b = statistics.median(ours), statistics.median(floor)
                print(f"| `{name}` | {words} | {size:,} | {total:,} | {a:.1f} | {b:.1f} | {a / b:.2f} | {max(rss) / 1024:.1f} |",
                      flush=True)


if __name__ == "__main__":
    main()
