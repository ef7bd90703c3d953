#!/usr/bin/env python3
"""The views of issue 14 on a PostgreSQL desk (issue 17): `support --db postgresql://…` against
`psql` answering the same question with the same indexes (the floor, a new process each run as
`support` is).

    PGPASSWORD=… python3 scripts/bench/pg_views.py --url postgresql://USER@127.0.0.1:PORT/DB
        [--from-sqlite .build-bench/views-uniform-1000000.db] [--runs 9] [--bin .build/release/support]

With --from-sqlite, the (empty) database is first filled from that SQLite desk with
`support db copy` (its time and the database's size are printed). Then each view runs `runs`
times interleaved with psql; prints a Markdown table of medians (ms), the ratio and support's
peak RSS. `support` hands a postgresql:// desk to `support-pg` beside it: build both
(`swift build -c release --product support --product support-pg`).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import views  # noqa: E402
from run import ROOT, run_once  # noqa: E402

PAGE = ("SELECT t.ticketNumber, t.subject, s.email, a.email, t.status, t.priority, t.createdAt, t.updatedAt "
        "FROM ticket t JOIN desk_user s ON s.id = t.submittedBy LEFT JOIN desk_user a ON a.id = t.assignedTo "
        "WHERE {where} ORDER BY {order} LIMIT 25;")
NEWEST = "t.createdAt DESC, t.id DESC"


def floor(where, order=NEWEST):
    return f"SELECT count(*) FROM ticket t WHERE {where};" + PAGE.format(where=where, order=order)


def tokens(word):
    """The tokens SQLite's FTS5 tokenizer (porter unicode61) makes of `word`: what `support`
    sends PostgreSQL for a search (PostgresSearchText.query)."""
    import sqlite3
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(a, tokenize = 'porter unicode61')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')")
    db.execute("INSERT INTO f VALUES (?)", (word,))
    return [t for (t,) in db.execute("SELECT term FROM v ORDER BY offset")]


def match(column, words):
    query = " & ".join(" <-> ".join(f"'{t}'" for t in tokens(w)) for w in words.split())
    return f"t.{column} @@ $q${query}$q$::tsquery"


def psql_value(url, sql):
    return subprocess.run(["psql", "--no-psqlrc", "-At", "-d", url, "-c", sql], capture_output=True, text=True, check=True).stdout.strip()


def cases(binary, url):
    requester = psql_value(url, "SELECT email FROM desk_user WHERE role = 'user' ORDER BY id LIMIT 1 OFFSET 7")
    # The same rare word as views.py (the SQLite side's table), stemmed as a search stems it.
    rare = views.RARE
    list_ = [binary, "ticket", "list", "--db", url, "--json"]
    mine = [binary, "--as", requester, "ticket", "list", "--db", url, "--json"]
    who = f"(SELECT id FROM desk_user WHERE email = '{requester}')"
    agent = "(SELECT id FROM desk_user WHERE email = 'agent0@example.com')"
    return [
        ('--search "printer invoice" --status all', list_ + ["--search", "printer invoice", "--status", "all"],
         floor(match("search_staff", "printer invoice"))),
        ("--search printer --status all", list_ + ["--search", "printer", "--status", "all"], floor(match("search_staff", "printer"))),
        (f"--search RARE ({rare}) --status all", list_ + ["--search", rare, "--status", "all"], floor(match("search_staff", rare))),
        ('--search "printer invoice" (open, in progress)', list_ + ["--search", "printer invoice"],
         floor(match("search_staff", "printer invoice") + " AND t.status IN (0, 1)")),
        ('requester: --search "printer invoice" --status all', mine + ["--search", "printer invoice", "--status", "all"],
         floor(f"t.submittedBy = {who} AND " + match("search_public", "printer invoice"))),
        ("--assignee none --status open", list_ + ["--assignee", "none", "--status", "open"],
         floor("t.status = 0 AND t.assignedTo IS NULL")),
        ("--status open --sort updated", list_ + ["--status", "open", "--sort", "updated"],
         "SELECT sum(tickets) FROM ticket_tally WHERE status = 0;" + PAGE.format(where="t.status = 0", order="t.updatedAt DESC, t.id DESC")),
        ("--status open", list_ + ["--status", "open"],
         "SELECT sum(tickets) FROM ticket_tally WHERE status = 0;" + PAGE.format(where="t.status = 0", order=NEWEST)),
        ("--requester EMAIL --status all --sort updated", list_ + ["--requester", requester, "--status", "all", "--sort", "updated"],
         floor(f"t.submittedBy = {who}", "t.updatedAt DESC, t.id DESC")),
        ("--assignee EMAIL --status all --sort priority",
         list_ + ["--assignee", "agent0@example.com", "--status", "all", "--sort", "priority"],
         floor(f"t.assignedTo = {agent}", "t.priority DESC, t.createdAt DESC, t.id DESC")),
        ("--since 2026-10-01 --status all --sort updated", list_ + ["--since", "2026-10-01", "--status", "all", "--sort", "updated"],
         floor("t.createdAt >= '2026-10-01'", "t.updatedAt DESC, t.id DESC")),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--from-sqlite")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "support"))
    args = ap.parse_args()
    env = dict(os.environ)
    env.pop("SUPPORT_AS", None)
    if args.from_sqlite:
        start = time.perf_counter()
        subprocess.run([args.bin, "--db", args.from_sqlite, "db", "copy", "--to", args.url], env=env, check=True)
        print(f"db copy: {time.perf_counter() - start:.1f} s; database size "
              + psql_value(args.url, "SELECT pg_size_pretty(pg_database_size(current_database()))"))
        subprocess.run(["psql", "--no-psqlrc", "-q", "-d", args.url, "-c", "VACUUM ANALYZE"], env=env, check=True)
    tickets = psql_value(args.url, "SELECT sum(tickets) FROM ticket_tally")
    print(f"# {tickets} tickets on {psql_value(args.url, 'SHOW server_version')}, {args.runs} runs each, medians")
    print("| view | support ms | psql ms | ratio | support peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    for name, argv, sql in cases(args.bin, args.url):
        ours, theirs, rss = [], [], 0
        for _ in range(args.runs):
            ms, peak = run_once(argv, env)
            ours.append(ms)
            rss = max(rss, peak)
            ms, _ = run_once(["psql", "--no-psqlrc", "-q", "-d", args.url, "-c", sql], env)
            theirs.append(ms)
        a, b = statistics.median(ours), statistics.median(theirs)
        print(f"| `{name}` | {a:.1f} | {b:.1f} | {a / b:.2f}x | {rss / 1024:.1f} |")


if __name__ == "__main__":
    main()
