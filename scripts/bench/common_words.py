#!/usr/bin/env python3
"""Relevance over the most common words (issue 14's slowest class): `ticket list --search W1 … Wk
--status all --sort relevance` at page 1 and page 1,000 for k = 2…6 words that are each in more
than four fifths of the tickets, for one or two builds, beside the sqlite3 shell's bare
`count(*)` of the same MATCH (one thread, no ranking). Medians of `hyperfine -N -w 2 -r RUNS`
in ms, a Markdown table on stdout. Needs hyperfine and the views.py data sets.

    python3 scripts/bench/common_words.py --bin A [--bin B] [--runs 11]
                                          [--dir .build-bench] [--size 1000000]
                                          [--spread uniform|zipf|both] [--words 2,3,4,5,6]

A `--bin` may name its own directory of data sets, `--bin PATH:DIR` (a build whose files were
migrated apart from the others'); the shell's count reads the first build's files.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ROOT  # noqa: E402

# Uniform: each in 89 % of the tickets; zipf: the six most common of its vocabulary (99.8 % to 81.7 %).
WORDS = {
    "uniform": ["invoice", "screen", "refund", "button", "printer", "login"],
    "zipf": ["slow", "billing", "cancel", "account", "button", "download"],
}


def medians(commands, runs):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(["hyperfine", "-N", "-w", "2", "-r", str(runs), "--export-json", out.name] + commands,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return [r["median"] * 1000 for r in json.load(open(out.name))["results"]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="append", default=[], help="a `support` build (once or twice)")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--dir", default=os.path.join(ROOT, ".build-bench"))
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--spread", choices=["uniform", "zipf", "both"], default="both",
                    help="one spread's files only (two builds' files of both may not fit in the page cache)")
    ap.add_argument("--words", default="2,3,4,5,6", help="the word counts to run")
    args = ap.parse_args()
    builds = [(b.split(":", 1) + [args.dir])[:2] for b in (args.bin or [os.path.join(ROOT, ".build", "release", "support")])]
    binaries = [b for b, _ in builds]
    names = [f"build {i + 1}" for i in range(len(binaries))]
    header = [f"{n} p{p}" for p in (1, 1000) for n in names]
    print("| words | spread | " + " | ".join(header) + " | shell count |")
    print("|---:|---|" + "---:|" * (len(header) + 1))
    for k in [int(n) for n in args.words.split(",")]:
        for spread, words in WORDS.items():
            if args.spread not in ("both", spread):
                continue
            name = f"views-{spread}-{args.size}.db"
            db = os.path.join(builds[0][1], name)
            search = " ".join(words[:k])
            commands = [f"{b} ticket list --db {os.path.join(d, name)} --search '{search}' --status all --sort relevance --page {p} --json"
                        for p in (1, 1000) for b, d in builds]
            match = " AND ".join(words[:k])
            commands.append(f"sqlite3 {db} \"SELECT count(*) FROM ticket_search_staff WHERE ticket_search_staff MATCH '{match}'\"")
            figures = medians(commands, args.runs)
            print(f"| {k} | {spread} | " + " | ".join(f"{m:.1f}" for m in figures) + " |", flush=True)


if __name__ == "__main__":
    main()
