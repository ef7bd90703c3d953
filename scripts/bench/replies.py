#!/usr/bin/env python3
"""Peak memory and time of the commands that read one ticket's replies (issue 13, items 12 and 13).

Builds a database with one ticket of REPLIES replies of SIZE bytes each (imported by the AFTER
binary: one NDJSON line), then runs `ticket list`, `ticket show`, `ticket show --all` (after
only) and `ticket export` with each binary under /usr/bin/time -v, and imports a single line of
LINE_MB megabytes (replies of 64 KiB) with each. Prints a Markdown table.

    python3 scripts/bench/replies.py BEFORE_BINARY AFTER_BINARY [--replies 10000] [--size 65536] [--line-mb 50]
"""
import argparse, json, os, re, subprocess, tempfile, time

def line(replies, size, subject="Big"):
    body = "x" * (size - 1) + "\n"
    reply = lambda i: json.dumps({"message": f"{i} " + body[len(str(i)) + 1:], "respondedBy": {"email": "sam@example.test", "role": "internal"},
                                  "createdAt": "2026-03-01T10:00:00.000Z"})
    head = json.dumps({"subject": subject, "message": "m", "category": "bug-report", "submittedBy": {"email": "jane@example.test"},
                       "createdAt": "2026-03-01T09:00:00.000Z"})
    return head[:-1] + ',"responses":[' + ",".join(reply(i) for i in range(replies)) + "]}\n"

def measure(binary, args, db, stdin=None):
    env = {"PATH": "/usr/bin:/bin", "SUPPORT_DB": db, "HOME": os.path.dirname(db), "NO_COLOR": "1"}
    started = time.monotonic()
    with open(stdin or os.devnull, "rb") as inp:
        r = subprocess.run(["/usr/bin/time", "-v", binary] + args, env=env, stdin=inp, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - started
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1024
    status = re.search(r"Exit status: (\d+)", r.stderr)
    return elapsed, rss, int(status.group(1)) if status else -1

def main():
    p = argparse.ArgumentParser()
    p.add_argument("before"); p.add_argument("after")
    p.add_argument("--replies", type=int, default=10000); p.add_argument("--size", type=int, default=65536)
    p.add_argument("--line-mb", type=int, default=50)
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="replies-bench-")
    db = os.path.join(work, "support.db")
    big = os.path.join(work, "big.ndjson")
    with open(big, "w") as f: f.write(line(a.replies, a.size))
    t, rss, st = measure(a.after, ["ticket", "import", "--file", big], db)
    print(f"setup: import of one ticket with {a.replies} replies of {a.size} B ({os.path.getsize(big) >> 20} MiB line): {t:.1f} s, {rss:.0f} MiB, exit {st}")
    os.remove(big)
    number = json.loads(subprocess.run([a.after, "ticket", "list", "--json"], env={"SUPPORT_DB": db, "PATH": "/usr/bin:/bin"},
                                       capture_output=True, text=True).stdout)["tickets"][0]["ticketNumber"]
    rows = []
    cases = [("ticket list", ["ticket", "list"]), ("ticket list --json", ["ticket", "list", "--json"]),
             ("ticket show", ["ticket", "show", number]), ("ticket show --json", ["ticket", "show", number, "--json"]),
             ("ticket show --all --json", ["ticket", "show", number, "--all", "--json"]), ("ticket export", ["ticket", "export"])]
    for name, args in cases:
        for label, binary in (("before", a.before), ("after", a.after)):
            if "--all" in args and label == "before":
                args_used = ["ticket", "show", number, "--json"]  # before: show always loaded every reply
            else:
                args_used = args
            t, rss, st = measure(binary, args_used, db)
            rows.append((name, label, t, rss, st))
    lp = os.path.join(work, "line.ndjson")
    with open(lp, "w") as f: f.write(line(max(1, a.line_mb * 1_000_000 // 65536), 65536, "Long line"))
    for label, binary in (("before", a.before), ("after", a.after)):
        d = os.path.join(work, f"line-{label}.db")
        t, rss, st = measure(binary, ["ticket", "import", "--file", lp], d)
        rows.append((f"import one {os.path.getsize(lp) // 1_000_000} MB line", label, t, rss, st))
    print("| command | binary | seconds | peak RSS MiB | exit |")
    print("|---|---|---:|---:|---:|")
    for name, label, t, rss, st in rows:
        print(f"| {name} | {label} | {t:.2f} | {rss:.0f} | {st} |")
    subprocess.run(["rm", "-rf", work])

main()
