#!/usr/bin/env python3
"""Benchmark `support` as a user runs it, side by side with the sqlite3 shell (the floor).

    python3 scripts/bench/run.py [--sizes 10000,100000,1000000] [--runs 15] [--out docs/benchmarks.md]
    python3 scripts/bench/run.py --import-only --import-size 100000 --import-runs 5


Builds release (static stdlib), creates one database per size through `support ticket import`
(scripts/bench/generate.py makes the NDJSON), then for each command: `runs` runs interleaved with
the sqlite3 shell doing the equivalent SQL on the same file, the median of each, the ratio, and
the command's peak RSS (from wait4). Writes a table to stdout and to --out with the machine and
the command line. Data sets are cached in .build-bench/ (delete it to rebuild them).
"""
import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(ROOT, ".build-bench")
BIN = os.path.join(ROOT, ".build", "release", "support")


def run_once(argv, env, stdin=None):
    """Wall time (ms) and peak RSS (KiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    err = proc.stderr.read()
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 75):
        raise SystemExit(f"{' '.join(argv)} exited {code}: {err.decode(errors='replace')[:300]}")
    return elapsed, usage.ru_maxrss


def build():
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "support"], cwd=ROOT, check=True)


def dataset(size, env):
    os.makedirs(WORK, exist_ok=True)
    db = os.path.join(WORK, f"tickets-{size}.db")
    if os.path.exists(db):
        return db
    tmp = db + ".tmp"
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(tmp + suffix):
            os.remove(tmp + suffix)
    gen = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts/bench/generate.py"), str(size)], stdout=subprocess.PIPE)
    start = time.perf_counter()
    subprocess.run([BIN, "ticket", "import", "--db", tmp], stdin=gen.stdout, env=env, check=True, stdout=subprocess.DEVNULL)
    gen.wait()
    took = time.perf_counter() - start
    print(f"# imported {size} tickets in {took:.1f} s ({size / took:.0f} tickets/s, generation included)", file=sys.stderr)
    subprocess.run(["sqlite3", tmp, "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;"], check=True, stdout=subprocess.DEVNULL)
    os.rename(tmp, db)
    return db


IMPORT_FLOOR_SQL = {
    # The same rows inserted by the shell into a fresh database as `support` leaves it, with every
    # index and full-text trigger in place: what a row-by-row import cannot beat.
    "sqlite3, indexes and triggers in place": "{insert}",
    # The same, with the secondary indexes and insert triggers dropped first and rebuilt after,
    # in the one transaction: what `support`'s bulk path (an empty database) does.
    # The derived data (tally, first replies, durations) is copied as computed by support.
    "sqlite3, indexes and FTS rebuilt": "{drop}{insert}"
                                       "DELETE FROM ticket_tally; INSERT INTO ticket_tally SELECT * FROM src.ticket_tally; {create}"
                                       "INSERT INTO ticket_search(ticket_search) VALUES('rebuild'); {triggers}",
}


def import_measure(size, runs, env):
    """Tickets/s of `support ticket import --file` into a new file (median of `runs`), and of the
    sqlite3 shell inserting the very same rows (copied from the imported file) into a new file."""
    os.makedirs(WORK, exist_ok=True)
    ndjson = os.path.join(WORK, f"tickets-{size}.ndjson")
    if not os.path.exists(ndjson):
        with open(ndjson + ".tmp", "wb") as out:
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts/bench/generate.py"), str(size)], stdout=out, check=True)
        os.rename(ndjson + ".tmp", ndjson)
    target = os.path.join(WORK, f"import-{size}.db")
    empty = os.path.join(WORK, "import-empty.db")

    def fresh(path):
        for suffix in ("", "-wal", "-shm", ".lock"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)

    fresh(empty)
    subprocess.run([BIN, "ticket", "list", "--db", empty], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["sqlite3", empty, "PRAGMA wal_checkpoint(TRUNCATE);"], check=True, stdout=subprocess.DEVNULL)
    ours = []
    for _ in range(runs):
        fresh(target)
        ours.append(run_once([BIN, "ticket", "import", "--db", target, "--file", ndjson], env)[0])
    rows = [("support ticket import (empty file)", size, statistics.median(ours), size / statistics.median(ours) * 1000)]

    def sql(query):
        return subprocess.run(["sqlite3", empty, query], capture_output=True, text=True, check=True).stdout
    tables = "tbl_name IN ('ticket', 'response')"
    drop = sql(f"SELECT 'DROP INDEX \"' || name || '\"; ' FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND {tables} "
               "AND sql NOT LIKE 'CREATE UNIQUE%'").replace("\n", "")
    set_aside = ("ticket_search_insert", "response_search_before_insert", "response_search_after_insert", "ticket_tally_insert", "ticket_resolution_seconds_insert",
                 "response_first_staff_reply")
    drop += "".join(f"DROP TRIGGER {name}; " for name in set_aside)
    create = sql(f"SELECT sql || '; ' FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND {tables} "
                 "AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY rowid")
    triggers = sql("SELECT sql || '; ' FROM sqlite_master WHERE name IN (" + ", ".join(f"'{n}'" for n in set_aside) + ")")
    insert = ("INSERT INTO user SELECT * FROM src.user WHERE id NOT IN (SELECT id FROM main.user); "
              "INSERT OR REPLACE INTO ticket_sequence SELECT * FROM src.ticket_sequence; "
              "INSERT INTO ticket SELECT * FROM src.ticket; INSERT INTO response SELECT * FROM src.response; "
              "INSERT INTO audit_event SELECT * FROM src.audit_event; ")
    floor_db = os.path.join(WORK, f"import-floor-{size}.db")
    for name, template in IMPORT_FLOOR_SQL.items():
        times = []
        for _ in range(runs):
            fresh(floor_db)
            shutil.copyfile(empty, floor_db)
            script = ("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
                      f"ATTACH '{target}' AS src; BEGIN IMMEDIATE; "
                      + template.format(drop=drop, insert=insert, create=create, triggers=triggers) + " COMMIT;")
            times.append(run_once(["sqlite3", floor_db, script], env)[0])
        rows.append((name, size, statistics.median(times), size / statistics.median(times) * 1000))
    for name, n, ms, rate in rows:
        print(f"{name:40} {n:>9} {ms / 1000:7.2f} s  {rate:8.0f} tickets/s", file=sys.stderr)
    return rows


def cases(db, size):
    """(name, support argv, sqlite3 SQL) — the SQL is what a shell user would type for the same answer."""
    number = subprocess.run(["sqlite3", db, "SELECT ticketNumber FROM ticket ORDER BY id DESC LIMIT 1"],
                            capture_output=True, text=True, check=True).stdout.strip()
    page_sql = ("SELECT t.ticketNumber, t.subject, s.email, t.status, t.priority, t.createdAt FROM ticket t "
                "JOIN user s ON s.id = t.submittedBy {where} ORDER BY t.createdAt DESC, t.id DESC LIMIT 25 OFFSET {offset};")
    count_sql = "SELECT count(*) FROM ticket t {where};"
    return [
        ("version", [BIN, "--version"], "SELECT 1;"),
        ("list --status open", [BIN, "ticket", "list", "--db", db, "--status", "open", "--json"],
         count_sql.format(where="WHERE t.status = 0") + page_sql.format(where="WHERE t.status = 0", offset=0)),
        ("list --page 1000", [BIN, "ticket", "list", "--db", db, "--page", "1000", "--json"] if size >= 25000 else
         [BIN, "ticket", "list", "--db", db, "--page", str(size // 50), "--json"],
         count_sql.format(where="") + page_sql.format(where="", offset=(999 if size >= 25000 else size // 50 - 1) * 25)),
        # The floor: the same one-document-per-ticket FTS5 index, counted and paged by rowid.
        ("list --search", [BIN, "ticket", "list", "--db", db, "--search", "printer refund", "--json"],
         "SELECT count(*) FROM ticket_search WHERE ticket_search MATCH '(printer AND refund)';"
         + page_sql.replace("{where} ORDER BY t.createdAt DESC, t.id DESC", "{where} ORDER BY t.id DESC").format(
             where="WHERE t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH '(printer AND refund)' "
                   "ORDER BY rowid DESC LIMIT 25)", offset=0)),
        ("list --assignee none --status open", [BIN, "ticket", "list", "--db", db, "--assignee", "none", "--status", "open", "--json"],
         count_sql.format(where="WHERE t.status = 0 AND t.assignedTo IS NULL")
         + page_sql.format(where="WHERE t.status = 0 AND t.assignedTo IS NULL", offset=0)),
        ("list --status open --sort updated", [BIN, "ticket", "list", "--db", db, "--status", "open", "--sort", "updated", "--json"],
         count_sql.format(where="WHERE t.status = 0")
         + page_sql.replace("t.createdAt DESC", "t.updatedAt DESC").format(where="WHERE t.status = 0", offset=0)),
        ("show (50 replies)", [BIN, "ticket", "show", "--db", db, number, "--json"],
         f"SELECT * FROM ticket WHERE ticketNumber = '{number}'; SELECT r.*, u.email FROM response r JOIN user u ON u.id = r.respondedBy "
         f"WHERE r.ticketId = (SELECT id FROM ticket WHERE ticketNumber = '{number}') ORDER BY r.createdAt;"),
        ("stats", [BIN, "stats", "--db", db, "--json"],
         "SELECT category, count(*) FROM ticket GROUP BY 1; SELECT priority, count(*) FROM ticket GROUP BY 1; "
         "SELECT status, count(*) FROM ticket GROUP BY 1;"),
        ("create", [BIN, "ticket", "create", "--db", db, "--subject", "Bench ticket", "--category", "bug-report",
                    "--message", "benchmark", "--requester", "bench@example.com"],
         "BEGIN IMMEDIATE; INSERT INTO ticket_sequence(year, lastNumber) VALUES (2099, 1) ON CONFLICT(year) DO UPDATE SET lastNumber = lastNumber + 1; "
         "INSERT INTO ticket (ticketNumber, subject, message, category, priority, status, submittedBy, createdAt, updatedAt) "
         "SELECT printf('ST-2099-%03d', (SELECT lastNumber FROM ticket_sequence WHERE year = 2099)), 'Bench', 'benchmark', 'bug-report', 2, 0, 1, "
         "strftime('%Y-%m-%d %H:%M:%f','now'), strftime('%Y-%m-%d %H:%M:%f','now'); COMMIT;"),
        ("respond", [BIN, "respond", "--db", db, number, "--message", "benchmark reply", "--no-notify"],
         f"BEGIN IMMEDIATE; INSERT INTO response (ticketId, message, respondedBy, isInternal, createdAt) "
         f"SELECT id, 'benchmark reply', 1, 0, strftime('%Y-%m-%d %H:%M:%f','now') FROM ticket WHERE ticketNumber = '{number}'; "
         f"UPDATE ticket SET updatedAt = strftime('%Y-%m-%d %H:%M:%f','now') WHERE ticketNumber = '{number}'; COMMIT;"),
        ("update", [BIN, "ticket", "update", "--db", db, number, "--priority", "high"],
         f"UPDATE ticket SET priority = 3, updatedAt = strftime('%Y-%m-%d %H:%M:%f','now') WHERE ticketNumber = '{number}';"),
    ]


def measure(db, size, runs, env):
    rows = []
    for name, argv, sql in cases(db, size):
        ours, floor, rss = [], [], []
        for _ in range(runs):
            t, m = run_once(argv, env)
            ours.append(t)
            rss.append(m)
            floor.append(run_once(sqlite3(db, sql), env)[0])
        rows.append((name, size, statistics.median(ours), statistics.median(floor), max(rss)))
        print(f"{name:22} {size:>9} {rows[-1][2]:8.2f} ms  floor {rows[-1][3]:7.2f} ms  x{rows[-1][2] / rows[-1][3]:5.2f}  {max(rss) / 1024:6.1f} MiB",
              file=sys.stderr)
    # export: time and peak RSS of the whole stream (one run: it is long at 1M)
    t, m = run_once([BIN, "ticket", "export", "--db", db], env)
    f, _ = run_once(sqlite3(db, "SELECT * FROM ticket; SELECT * FROM response;"), env)
    rows.append(("export (NDJSON)", size, t, f, m))
    rows.append(flush(db, size, runs, env))
    return rows


def sqlite3(db, sql):
    """The shell keeping the -wal file at exit, as support does (SQLITE_FCNTL_PERSIST_WAL). Without
    it each shell run deleted the -wal, and the next support run took the first-open path (file
    lock, read-only look at the file, GRDB's WAL set-up write): the two were not measured in the
    same state."""
    return ["sqlite3", db, ".filectrl persist_wal 1", sql]


FLUSH_BATCH = 20


def flush(db, size, runs, env):
    """`notify flush` of FLUSH_BATCH queued messages (a new-ticket notice and an auto-response for
    each of FLUSH_BATCH / 2 tickets) to a mail program that reads and discards them, against the
    shell marking as many rows sent, one transaction each: the database side of the same work
    (spawning the mail program is support's alone)."""
    mailer = os.path.join(WORK, "discard-mail.sh")
    with open(mailer, "w") as f:
        f.write("#!/bin/sh\ncat > /dev/null\n")
    os.chmod(mailer, 0o755)
    for key, value in (("support_email", "help@example.com"), ("support_auto_response", "true")):
        subprocess.run([BIN, "settings", "set", "--db", db, key, value], env=env, check=True, stdout=subprocess.DEVNULL)
    ours, floor, rss = [], [], []
    for _ in range(runs):
        for _ in range(FLUSH_BATCH // 2):
            subprocess.run([BIN, "ticket", "create", "--db", db, "--subject", "Flush bench", "--category", "bug-report",
                            "--message", "benchmark", "--requester", "bench@example.com", "--priority", "low"],
                           env=env, check=True, stdout=subprocess.DEVNULL)
        queued = subprocess.run(["sqlite3", db, ".filectrl persist_wal 1", "SELECT count(*) FROM outbox WHERE status = 'pending'"],
                                capture_output=True, text=True, check=True).stdout.split()[-1]
        if int(queued) != FLUSH_BATCH:
            raise SystemExit(f"expected {FLUSH_BATCH} queued messages, found {queued}")
        t, m = run_once([BIN, "notify", "flush", "--db", db, "--sendmail", mailer, "--quiet"], env)
        ours.append(t)
        rss.append(m)
        sql = "".join("BEGIN IMMEDIATE; UPDATE outbox SET sentAt = strftime('%Y-%m-%d %H:%M:%f','now') "
                      "WHERE id = (SELECT max(id) FROM outbox); COMMIT;" for _ in range(FLUSH_BATCH))
        floor.append(run_once(sqlite3(db, sql), env)[0])
    row = (f"notify flush ({FLUSH_BATCH} mails)", size, statistics.median(ours), statistics.median(floor), max(rss))
    print(f"{row[0]:22} {size:>9} {row[2]:8.2f} ms  floor {row[3]:7.2f} ms  x{row[2] / row[3]:5.2f}  {row[4] / 1024:6.1f} MiB",
          file=sys.stderr)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--import-size", type=int, default=100000)
    ap.add_argument("--import-runs", type=int, default=5)
    ap.add_argument("--import-only", action="store_true", help="only the import measurement; print it, write nothing")
    args = ap.parse_args()
    if not args.no_build:
        build()
    env = dict(os.environ, NO_COLOR="1")
    env.pop("SUPPORT_AS", None)
    imports = import_measure(args.import_size, args.import_runs, env)
    import_table = ("| import of generate.py tickets | tickets | median s | tickets/s |\n|---|---:|---:|---:|\n"
                    + "".join(f"| {n} | {s:,} | {ms / 1000:.2f} | {rate:,.0f} |\n" for n, s, ms, rate in imports))
    if args.import_only:
        print(import_table)
        return
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        db = dataset(size, env)
        bench_db = db + ".bench"
        # A -wal left beside an old copy would be read as the newest pages of the new copy (the
        # shell keeps its WAL now): remove every file of the old copy first.
        for suffix in ("", "-wal", "-shm", ".lock"):
            if os.path.exists(bench_db + suffix):
                os.remove(bench_db + suffix)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                shutil.copyfile(db + suffix, bench_db + suffix)
        rows += measure(bench_db, size, args.runs, env)
    header = "| command | tickets | support median ms | sqlite3 median ms | ratio | peak RSS MiB |\n|---|---:|---:|---:|---:|---:|\n"
    table = header + "".join(f"| {n} | {s:,} | {a:.2f} | {b:.2f} | {a / b:.2f} | {m / 1024:.1f} |\n" for n, s, a, b, m in rows)
    print(table)
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    # The hand-written reading of the figures, from ANALYSIS_MARKER on, survives a new run.
    analysis = ""
    if os.path.exists(args.out):
        with open(args.out) as f:
            text = f.read()
        if ANALYSIS_MARKER in text:
            analysis = "\n" + text[text.index(ANALYSIS_MARKER):]
    with open(args.out, "w") as f:
        f.write("# Benchmarks\n\n")
        f.write(f"Produced by `python3 scripts/bench/run.py --sizes {args.sizes} --runs {args.runs}` on "
                f"{datetime.date.today()} ({cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}).\n\n")
        f.write("Each command runs as a user runs it (a new process each time, release build with the static Swift "
                "standard library), interleaved with the `sqlite3` shell doing the equivalent SQL on the same file "
                "(the floor); medians of the runs, peak RSS the largest seen.\n\n")
        f.write(table)
        f.write("\n" + import_table)
        f.write(NOTES)
        f.write(analysis)


ANALYSIS_MARKER = "<!-- analysis: kept by run.py -->"

NOTES = """
Reading the table: "ratio" is support / sqlite3. The write rows compare one `support` write
(validation, rules, audit record, outbox) with a bare single-row transaction in the shell; fsync
time on this machine varies from run to run, which both sides share. The import rows time
`support ticket import --file` into a new file, and the sqlite3 shell copying the very same rows
(users, tickets, replies, audit records) into a new file of the same schema in one transaction:
row by row with every index and full-text trigger in place, and with them rebuilt after.
"""

if __name__ == "__main__":
    main()
