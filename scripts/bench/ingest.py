#!/usr/bin/env python3
"""Mail in, timed (issue 12): a typical reply by mail against the same reply by `respond`, and a
Maildir of many messages.

    python3 scripts/bench/ingest.py BINARY [--size 100000] [--runs 21] [--maildir 10000]

On a copy of a file of `--size` generate.py tickets (made by BINARY, cached in .build-bench/):
1. A requester's reply of about 5 kB with one quoted history (as a mail client writes it, the
   ticket's tag in the subject), piped into `support mail ingest`, interleaved run by run with
   the same text added by `support respond --as REQUESTER`; medians and ingest / respond.
2. A Maildir of `--maildir` messages (new tickets from distinct senders, a few kB each) ingested
   by one `support mail ingest --maildir`; messages per second, its CPU (user + system) per
   message, the load average after it, and that every one ended in cur/.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(ROOT, ".build-bench")

PARAGRAPH = ("Thanks for looking into this. I tried the steps you sent: the export still stops half way "
             "with the same message, and the log shows the connection being reset after a minute or so. ")


def reply_message(sender, number, seq):
    body = (PARAGRAPH * 14).strip()  # about 2.6 kB of reply
    quoted = "\n".join("> " + line for line in (PARAGRAPH * 12).strip().split(". "))  # the quoted history
    return (f"From: Requester <{sender}>\r\nTo: help@example.test\r\nSubject: Re: [{number}] Export stops\r\n"
            f"Message-ID: <bench-{seq}-{time.time_ns()}@client.example>\r\nDate: Sat, 05 Dec 2026 10:00:00 +0000\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{body}\r\n\r\nOn Fri, 4 Dec 2026 at 09:12, Support <help@example.test> wrote:\r\n{quoted}\r\n").encode(), body


def timed(argv, stdin=None):
    start = time.perf_counter()
    proc = subprocess.run(argv, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[:300]}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--size", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--maildir", type=int, default=10000)
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    source = os.path.join(WORK, f"ingest-{args.size}.db")
    if not os.path.exists(source):
        gen = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts/bench/generate.py"), str(args.size)], stdout=subprocess.PIPE)
        subprocess.run([args.binary, "ticket", "import", "--db", source + ".tmp"], stdin=gen.stdout, check=True, stdout=subprocess.DEVNULL)
        gen.wait()
        subprocess.run(["sqlite3", source + ".tmp", "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;"], check=True, stdout=subprocess.DEVNULL)
        os.rename(source + ".tmp", source)
    scratch = tempfile.mkdtemp(prefix="ingest-bench-")
    db = os.path.join(scratch, "desk.db")
    shutil.copy(source, db)
    sql = lambda q: subprocess.run(["sqlite3", db, q], capture_output=True, text=True, check=True).stdout.strip()
    number, sender = sql("SELECT t.ticketNumber, u.email FROM ticket t JOIN user u ON u.id = t.submittedBy "
                         "WHERE u.role = 'user' ORDER BY t.id DESC LIMIT 1").split("|")
    # The desk's address, so that mail from it is recognised; no mail program needed (nothing is flushed).
    subprocess.run([args.binary, "settings", "set", "support_email", "help@example.test", "--db", db], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([args.binary, "settings", "set", "reply_rate_limit_per_hour", "0", "--db", db], check=True, stdout=subprocess.DEVNULL)
    ingest, respond = [], []
    for seq in range(args.runs):
        message, body = reply_message(sender, number, seq)
        ingest.append(timed([args.binary, "mail", "ingest", "--db", db], message))
        respond.append(timed([args.binary, "respond", number, "--as", sender, "--message", body, "--db", db]))
    replies = int(sql(f"SELECT count(*) FROM response r JOIN ticket t ON t.id = r.ticketId WHERE t.ticketNumber = '{number}'"))
    mi, mr = statistics.median(ingest), statistics.median(respond)
    print(f"# {args.size:,} tickets; a {len(message):,}-byte reply on {number} ({replies} replies after the runs)")
    print("| operation | median ms |")
    print("|---|---:|")
    print(f"| mail ingest (one reply, {len(message):,} bytes) | {mi:.2f} |")
    print(f"| respond (the same text) | {mr:.2f} |")
    print(f"| ingest / respond | {mi / mr:.2f} |", flush=True)

    if args.maildir:
        maildir = os.path.join(scratch, "Maildir")
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(maildir, sub))
        for i in range(args.maildir):
            text = (f"From: Customer {i} <customer{i}@mail{i % 97}.example>\r\nTo: help@example.test\r\n"
                    f"Subject: Question {i} about my account\r\nMessage-ID: <maildir-{i}@mail.example>\r\n"
                    f"Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    + (PARAGRAPH * 8) + "\r\n")
            with open(os.path.join(maildir, "new", f"{i}.bench"), "w") as f:
                f.write(text)
        start = time.perf_counter()
        child = subprocess.Popen([args.binary, "mail", "ingest", "--maildir", maildir, "--db", db], stdout=subprocess.DEVNULL)
        # The child's own CPU (user + system, all its threads): steadier than the wall clock on
        # a shared machine.
        _, status, usage = os.wait4(child.pid, 0)
        took = time.perf_counter() - start
        if status != 0:
            raise SystemExit(f"mail ingest --maildir ended with status {status}")
        cpu = usage.ru_utime + usage.ru_stime
        left = len(os.listdir(os.path.join(maildir, "new")))
        moved = len(os.listdir(os.path.join(maildir, "cur")))
        print(f"| Maildir of {args.maildir:,} messages | {took:.1f} s, {args.maildir / took:.0f} messages/s, "
              f"CPU {cpu * 1000 / args.maildir:.3f} ms a message ({moved:,} in cur/, {left} left in new/; "
              f"load {os.getloadavg()[0]:.2f}) |")
    shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
