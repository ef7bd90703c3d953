#!/usr/bin/env python3
"""Issue 14's second goal: every other combination a user can type (several filters, any
`--sort`, deep `--page`) answers within 100 ms at 1,000,000 tickets. Runs a spread of such lines
on a views.py data set (.build-bench/views-WORDS-SIZE.db, made by views.py) and prints the
median of `runs` runs of each, its total, and the slowest.

    python3 scripts/bench/combos.py [--bin .build/release/support] [--db .build-bench/views-uniform-1000000.db] [--runs 5]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ROOT, run_once  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "support"))
    ap.add_argument("--db", default=os.path.join(ROOT, ".build-bench", "views-uniform-1000000.db"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--from-line", type=int, default=1, help="start at this line (1-based)")
    ap.add_argument("--only", default=None, help="run only the lines with this word (e.g. relevance)")
    args = ap.parse_args()
    env = dict(os.environ, NO_COLOR="1")
    env.pop("SUPPORT_AS", None)
    requester = subprocess.run(["sqlite3", args.db, "SELECT email FROM user WHERE role = 'user' ORDER BY id LIMIT 1 OFFSET 7"],
                               capture_output=True, text=True, check=True).stdout.strip()
    lines = [
        ["--status", "all", "--sort", "priority", "--page", "1000"],
        ["--status", "closed", "--sort", "updated", "--page", "1000"],
        ["--status", "all", "--reverse", "--page", "1000"],
        ["--category", "bug-report", "--priority", "high", "--sort", "updated"],
        ["--category", "bug-report", "--priority", "high", "--sort", "updated", "--page", "200"],
        ["--assignee", "agent0@example.com", "--status", "open", "--category", "account-issue", "--sort", "priority"],
        ["--assignee", "agent0@example.com", "--status", "all", "--page", "1000"],
        ["--requester", requester, "--search", "printer", "--status", "all"],
        ["--since", "2026-01-01", "--until", "2026-06-01", "--status", "all", "--sort", "priority"],
        ["--since", "2026-01-01", "--until", "2026-06-01", "--status", "all", "--page", "1000"],
        ["--priority", "critical", "--status", "resolved", "--sort", "updated", "--page", "500"],
        ["--search", "printer", "--category", "bug-report", "--priority", "high", "--sort", "updated", "--page", "100"],
        ["--search", "printer invoice", "--assignee", "none", "--status", "all", "--page", "1000"],
        ["--search", "printer", "--status", "all", "--sort", "priority", "--page", "1000"],
        ["--search", "printer", "--status", "all", "--page", "1000"],
        ["--search", "printer", "--status", "closed", "--sort", "updated"],
        # More of the same classes, other values (the author checks other combinations than
        # the 16 above): a common word (button: 86 % of the zipf tickets, 90 % uniform), a
        # medium one (refund: 27 % zipf), rare ones (qcoto 3.3 %, qconoko 0.4 % of zipf; in no
        # uniform ticket), with other filters, every order, --reverse, pages 1 to 1,000.
        ["--search", "button", "--status", "all", "--sort", "updated", "--page", "1000"],
        ["--search", "button", "--status", "all", "--sort", "priority", "--reverse"],
        ["--search", "button", "--status", "all", "--sort", "status", "--page", "1000"],
        ["--search", "button", "--assignee", "none", "--status", "all", "--page", "1000"],
        ["--search", "button", "--priority", "critical", "--sort", "relevance", "--page", "1000"],
        ["--search", "button", "--status", "all", "--sort", "relevance", "--reverse"],
        ["--search", "refund", "--status", "resolved", "--sort", "priority", "--page", "1000"],
        ["--search", "refund", "--category", "account-issue", "--priority", "low", "--sort", "status", "--page", "50"],
        ["--search", "refund", "--status", "all", "--since", "2025-01-01", "--until", "2025-07-01", "--sort", "updated", "--reverse", "--page", "300"],
        ["--search", "button refund", "--status", "all", "--sort", "updated", "--page", "1000"],
        ["--search", "refund qcoto", "--assignee", "none", "--status", "all", "--sort", "updated", "--reverse", "--page", "100"],
        ["--search", "qcoto", "--status", "all", "--sort", "priority", "--page", "1000"],
        ["--search", "qconoko", "--category", "bug-report", "--status", "all", "--sort", "updated"],
        ["--status", "resolved", "--priority", "low", "--sort", "updated", "--page", "1000"],
        ["--category", "feature-request", "--status", "closed", "--sort", "updated", "--reverse", "--page", "1000"],
        ["--category", "account-issue", "--priority", "critical", "--sort", "updated", "--page", "300"],
        ["--category", "technical-issue", "--priority", "high", "--status", "all", "--sort", "status", "--page", "1000"],
        ["--since", "2025-03-01", "--until", "2025-09-01", "--status", "all", "--sort", "updated", "--page", "1000"],
        ["--since", "2026-02-01", "--status", "all", "--sort", "priority", "--reverse", "--page", "1000"],
        ["--since", "2024-06-01", "--until", "2025-06-01", "--status", "closed", "--sort", "priority", "--page", "100"],
        ["--since", "2025-01-01", "--until", "2026-01-01", "--category", "bug-report", "--status", "all", "--sort", "status", "--page", "500"],
        # By relevance (bm25 of every hit among the filters): other common words alone, two
        # common words, a medium word, two filters at page 1,000, --reverse.
        ["--search", "printer", "--status", "all", "--sort", "relevance"],
        ["--search", "refund", "--status", "all", "--sort", "relevance", "--page", "1000"],
        ["--search", "button refund", "--status", "all", "--sort", "relevance"],
        ["--search", "printer invoice", "--status", "all", "--sort", "relevance", "--reverse", "--page", "200"],
        ["--search", "qcoto", "--status", "all", "--sort", "relevance", "--page", "100"],
        ["--search", "printer", "--status", "closed", "--category", "bug-report", "--sort", "relevance", "--page", "1000"],
        ["--search", "refund", "--assignee", "none", "--priority", "high", "--status", "all", "--sort", "relevance", "--reverse", "--page", "1000"],
        ["--search", "button refund", "--status", "open", "--sort", "relevance", "--page", "500"],
    ]
    print(f"{args.db}, {args.runs} runs each, medians")
    print("| `ticket list …` | total | ms | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    for extra in lines[args.from_line - 1:]:
        if args.only is not None and args.only not in extra:
            continue
        argv = [args.bin, "ticket", "list", "--db", args.db, "--json"] + extra
        out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
        total = json.loads(out)["pagination"]["total"]
        timings = [run_once(argv, env) for _ in range(args.runs)]
        median = statistics.median(t[0] for t in timings)
        peak = max(t[1] for t in timings) / 1024
        worst = max(worst, median)
        shown = " ".join(a if " " not in a and "@" not in a else ("EMAIL" if "@" in a and a == requester else f'"{a}"') for a in extra)
        print(f"| `{shown}` | {total:,} | {median:.1f} | {peak:.1f} |", flush=True)
    print(f"slowest: {worst:.1f} ms")


if __name__ == "__main__":
    main()
