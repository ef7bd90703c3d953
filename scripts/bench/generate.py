#!/usr/bin/env python3
"""Writes N realistic tickets as NDJSON (the `support ticket export` shape) to stdout.

    python3 scripts/bench/generate.py N [--seed S] [--words uniform|zipf]

Deterministic for a seed: a spread of categories, priorities, statuses, ~N/20 requesters,
8 staff, subjects and bodies, 0-4 replies per ticket (some internal), and one ticket (the last)
with 50 replies for `ticket show` benchmarks.

Words: `uniform` (the default, the data set of the figures so far) draws every word from 40
support words with equal odds, so each is in most tickets. `zipf` draws from a vocabulary as
real text has it: the k-th most common word has odds 1/k (Zipf), over the 40 support words
(ranks 1-40, in a fixed shuffled order) and 20,000 made-up rare words after them (`rare_word`),
so a few words are in nearly every ticket and most are in a handful.
"""
import bisect
import argparse
import datetime as dt
import json
import random
import sys

CATEGORIES = ["Technical Issue", "Account Issue", "Feature Request", "General Inquiry", "Bug Report"]
PRIORITIES = ["Low", "Medium", "Medium", "Medium", "High", "Critical"]
STATUSES = ["Open", "In Progress", "Resolved", "Closed", "Closed", "Resolved"]
WORDS = ("printer login password reset invoice billing refund export import report dashboard "
         "error crash timeout slow upload download email notification account profile settings "
         "permission role admin search filter page mobile browser network server database "
         "payment subscription cancel upgrade feature request bug screen button link").split()


ZIPF_RARE = 20000


def rare_word(k):
    """The made-up word of rank 41 + k: letters only, so that porter stemming leaves it whole."""
    letters = "bcdfghjklmnpqrstvwxz"
    word = "q"
    k += 1
    while k:
        k, r = divmod(k, len(letters))
        word += letters[r] + "o"
    return word


def zipf_vocabulary(seed=7):
    common = WORDS[:]
    random.Random(seed).shuffle(common)
    vocabulary = common + [rare_word(k) for k in range(ZIPF_RARE)]
    total, cumulative = 0.0, []
    for rank in range(1, len(vocabulary) + 1):
        total += 1.0 / rank
        cumulative.append(total)
    return vocabulary, cumulative


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def uniform_sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def zipf_sentence_maker():
    vocabulary, cumulative = zipf_vocabulary()
    top = cumulative[-1]

    def sentence(rng, n):
        return " ".join(vocabulary[bisect.bisect_left(cumulative, rng.random() * top)] for _ in range(n))
    return sentence


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--words", choices=["uniform", "zipf"], default="uniform")
    args = ap.parse_args()
    sentence = uniform_sentence if args.words == "uniform" else zipf_sentence_maker()
    rng = random.Random(args.seed)
    staff = [{"email": f"agent{i}@example.com", "name": f"Agent {i}", "role": "internal"} for i in range(8)]
    requesters = max(1, args.n // 20)
    start = dt.datetime(2024, 1, 1)
    span = (dt.datetime(2026, 11, 1) - start).total_seconds()
    out = sys.stdout
    for i in range(args.n):
        created = start + dt.timedelta(seconds=span * i / args.n)
        status = rng.choice(STATUSES)
        requester = {"email": f"user{rng.randrange(requesters)}@example.org", "name": f"User {i % 997}", "role": "user"}
        replies = []
        count = 50 if i == args.n - 1 else rng.randrange(5)
        t = created
        for k in range(count):
            t = t + dt.timedelta(minutes=rng.randrange(5, 600))
            internal = rng.random() < 0.2
            author = rng.choice(staff) if (internal or k % 2 == 0) else requester
            replies.append({"message": sentence(rng, rng.randrange(8, 40)), "respondedBy": author,
                            "isInternal": internal, "createdAt": iso(t)})
        resolved = iso(t + dt.timedelta(hours=1)) if status in ("Resolved", "Closed") else None
        closed = iso(t + dt.timedelta(hours=2)) if status == "Closed" else None
        ticket = {
            "subject": sentence(rng, rng.randrange(3, 9)).capitalize(),
            "message": sentence(rng, rng.randrange(20, 120)),
            "category": rng.choice(CATEGORIES),
            "priority": rng.choice(PRIORITIES),
            "status": status,
            "submittedBy": requester,
            "assignedTo": rng.choice(staff) if rng.random() < 0.7 else None,
            "responses": replies,
            "attachments": [],
            "createdAt": iso(created),
            "updatedAt": iso(t),
            "resolvedAt": resolved,
            "closedAt": closed,
        }
        out.write(json.dumps(ticket, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
