#!/usr/bin/env python3
"""What a requester's search costs when the word is in many internal notes the requester cannot
see, before (notes a column of the ticket's document: main's schema up to
`outbox-kind-assignment`) and after migration `ticket-search-notes-index-of-their-own` (notes in
an index of their own). Issue 13, item 16.

    python3 scripts/bench/notes.py [--tickets 40000] [--runs 15] [--bin .build/release/support]
                                   [--before-bin PATH]

A file of N tickets is imported with `--bin` (requester user0 owns 20 of them; every other
ticket, theirs included, has an internal note "customer owes quokka fees"; no public text has
"quokka" or "wombat"). A copy is turned back into the schema before: the migration's objects
dropped, v10's view, tables and triggers made from `ticketSearchTailSchema` in
Sources/SupportCore/Store/TicketSearchSchema.swift, the indexes rebuilt, the migration's row
removed from grdb_migrations (FTS5's integrity-check passes on it). Then, interleaved, `runs`
times each:

- SQLite level (Python's sqlite3, the system SQLite `support` uses too): the statements the
  requester's `ticket list --search WORD --status all` runs in each version (the tail look-up,
  the count, the first page of 25), timed together in one connection.
- the sqlite3 shell (the floor): a new `sqlite3` process running the count and the page.
- the binary: `support --as user0@example.org ticket list --search WORD --status all --json`
  on the "after" file; with `--before-bin` (a build of main), on the "before" file too. Staff
  (`--as agent0@example.org`) too, whose search now reads the notes' index as a second arm.

Prints Markdown tables of medians (ms).
"""
import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ROOT, run_once  # noqa: E402

SCHEMA = os.path.join(ROOT, "Sources/SupportCore/Store/TicketSearchSchema.swift")
MIGRATION = "ticket-search-notes-index-of-their-own"
REQUESTER = "user0@example.org"
STAFF = "agent0@example.org"

COLUMNS = ("SELECT t.id, t.ticketNumber, t.subject, t.message, t.category, t.priority, t.status, "
           "s.email, s.name, s.role, a.email, a.name, a.role, t.createdAt, t.updatedAt, t.resolvedAt, t.closedAt")
PEOPLE = " JOIN user s ON s.id = t.submittedBy LEFT JOIN user a ON a.id = t.assignedTo"


def swift_string(name):
    text = open(SCHEMA).read()
    start = text.index(f'static let {name} = """') + len(f'static let {name} = """')
    return text[start:text.index('"""', start)].replace("\\\\", "\\")


def tickets(n):
    requesters = max(1, n // 20)
    for i in range(n):
        at = f"2025-{1 + i * 12 // n:02d}-{1 + i % 28:02d}T10:{i % 60:02d}:00.000Z"
        replies = []
        if i % 3 == 0:
            replies.append({"message": "Please restart the printer and try again", "isInternal": False,
                            "respondedBy": {"email": STAFF, "role": "internal"}, "createdAt": at})
        if i % 2 == 0:
            replies.append({"message": f"customer owes quokka fees, case {i}", "isInternal": True,
                            "respondedBy": {"email": f"agent{i % 4}@example.org", "role": "internal"}, "createdAt": at})
        yield json.dumps({
            "subject": f"Printer problem {i % 101}", "message": f"It prints blank pages since update {i % 53}",
            "category": "Technical Issue", "priority": "Medium", "status": "Open",
            "submittedBy": {"email": f"user{i % requesters}@example.org", "role": "user"},
            "createdAt": at, "updatedAt": at, "responses": replies,
        }, separators=(",", ":")) + "\n"


def to_before(path):
    """The schema before the migration: v10's full-text objects, the notes in the documents."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    names = db.execute("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view') "
                       "AND (name LIKE 'ticket_search%' OR name LIKE 'response_search%' OR name LIKE 'response_note_search%')").fetchall()
    for kind, name in names:
        db.execute(f'DROP {kind.upper()} "{name}"')
    for table in ("ticket_search", "ticket_search_reply", "ticket_search_note"):
        db.execute(f"DROP TABLE {table}")
    v10 = swift_string("ticketSearchTailSchema")
    v10 = v10[v10.index("CREATE TABLE ticket_search_split"):]
    # The split table stays from the file (the migration kept it).
    v10 = v10[v10.index("CREATE VIEW ticket_search_document"):]
    v9 = swift_string("ticketSearchSchema")
    table = v9[v9.index("CREATE VIRTUAL TABLE ticket_search USING"):]
    table = table[:table.index(";") + 1]
    for statement in split_sql(table + "\n" + v10):
        db.execute(statement)
    db.execute("INSERT INTO ticket_search(ticket_search) VALUES('rebuild')")
    db.execute("INSERT INTO ticket_search_reply(ticket_search_reply) VALUES('rebuild')")
    db.execute("DELETE FROM grdb_migrations WHERE identifier = ?", (MIGRATION,))
    db.execute("COMMIT")
    db.execute("INSERT INTO ticket_search(ticket_search, rank) VALUES('integrity-check', 1)")
    db.execute("INSERT INTO ticket_search_reply(ticket_search_reply, rank) VALUES('integrity-check', 1)")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def split_sql(script):
    """Statements of a script, triggers whole (sqlite3.complete_statement knows BEGIN…END)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not current.strip():
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements


def statements(version, word, requester_id):
    """What the requester's `ticket list --search WORD --status all` runs, as each version writes it."""
    pattern = f'"{word}"'
    if version == "before":
        reach = f"SELECT EXISTS (SELECT 1 FROM ticket_search_reply WHERE ticket_search_reply MATCH '{{body}} : ({pattern})')"
        match = f"{{subject body}} : ({pattern})"
    else:
        reach = f"SELECT EXISTS (SELECT 1 FROM ticket_search_reply WHERE ticket_search_reply MATCH '({pattern})')"
        match = f"({pattern})"
    where = f" WHERE t.submittedBy = {requester_id} AND f.ticket_search MATCH '{match}'"
    source = " FROM ticket t CROSS JOIN ticket_search f ON f.rowid = t.id"
    count = "SELECT count(*)" + source + where
    page = COLUMNS + source + PEOPLE + where + " ORDER BY t.id DESC LIMIT 25 OFFSET 0"
    return [reach, count, page]


def sql_once(path, sqls):
    db = sqlite3.connect(path)
    start = time.perf_counter()
    for sql in sqls:
        db.execute(sql).fetchall()
    elapsed = (time.perf_counter() - start) * 1000
    db.close()
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=40000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release/support"))
    parser.add_argument("--before-bin", default=None)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="notes-bench-")
    try:
        env = dict(os.environ, HOME=work)
        env.pop("SUPPORT_DB", None)
        env.pop("SUPPORT_AS", None)
        after = os.path.join(work, "after.db")
        before = os.path.join(work, "before.db")
        started = time.perf_counter()
        proc = subprocess.Popen([args.bin, "--db", after, "ticket", "import"], stdin=subprocess.PIPE, env=env,
                                stdout=subprocess.DEVNULL)
        for line in tickets(args.tickets):
            proc.stdin.write(line.encode())
        proc.stdin.close()
        if proc.wait() != 0:
            raise SystemExit("import failed")
        subprocess.run(["sqlite3", after, "PRAGMA wal_checkpoint(TRUNCATE);"], check=True, stdout=subprocess.DEVNULL)
        print(f"imported {args.tickets} tickets in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        shutil.copy(after, before)
        to_before(before)
        db = sqlite3.connect(after)
        requester_id = db.execute("SELECT id FROM user WHERE email = ?", (REQUESTER,)).fetchone()[0]
        notes = db.execute("SELECT count(*) FROM ticket_search_note WHERE ticket_search_note MATCH 'quokka'").fetchone()[0]
        mine = db.execute("SELECT count(*) FROM ticket WHERE submittedBy = ?", (requester_id,)).fetchone()[0]
        db.close()
        print(f"sqlite {sqlite3.sqlite_version}; {args.tickets} tickets, 'quokka' in {notes} notes and no public text, "
              f"'wombat' nowhere; the requester has {mine} tickets; medians of {args.runs} runs, ms")

        cases = []
        for version, path in (("before", before), ("after", after)):
            for word in ("quokka", "wombat"):
                sqls = statements(version, word, requester_id)
                cases.append(("SQLite level", version, word, lambda p=path, s=sqls: sql_once(p, s)))
                shell = [";\n".join(sqls[1:]) + ";"]
                cases.append(("sqlite3 shell", version, word,
                              lambda p=path, s=shell: run_once(["sqlite3", p] + s, env)[0]))
        binaries = [("after", after, args.bin)] + ([("before", before, args.before_bin)] if args.before_bin else [])
        for version, path, binary in binaries:
            for who, email in (("requester", REQUESTER), ("staff", STAFF)):
                for word in ("quokka", "wombat"):
                    argv = [binary, "--db", path, "--as", email, "ticket", "list", "--search", word, "--status", "all", "--json"]
                    cases.append((f"support, {who}", version, word, lambda a=argv: run_once(a, env)[0]))
        times = {i: [] for i in range(len(cases))}
        for _ in range(args.runs):
            for i, case in enumerate(cases):
                times[i].append(case[3]())
        print("| measured | schema | word | median ms |")
        print("|---|---|---|---:|")
        for i, (what, version, word, _) in enumerate(cases):
            print(f"| {what} | {version} | {word} | {statistics.median(times[i]):.2f} |")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
