#!/usr/bin/env python3
"""Concurrent creates and replies over HTTP (ServerAPITests, the server's group commit): many
clients at once, so that the server writes their tickets and replies in shared transactions.

Usage: creates_e2e.py BASE LIMIT ADMIN_TOKEN REQUESTER_TOKEN...

- each requester opens LIMIT + 3 tickets from three threads at once: exactly LIMIT are created
  (201) and 3 refused (429 with Retry-After), however the server batched them;
- the admin opens 40 tickets from four threads: all created;
- 10 bodies that break a rule (an empty subject, an unknown category) are sent meanwhile: 400 each;
then (LIMIT being the desk's reply limit too)
- each requester replies LIMIT + 2 times to their first ticket from three threads at once: LIMIT
  replies are added (201), 2 refused (429);
- the admin replies 20 times, from four threads, to the requesters' first tickets: all added.
Prints one JSON line {"created": [ticket numbers], "replies": n} and "N failures".
"""
import http.client
import json
import sys
import threading
import urllib.parse

BASE, LIMIT, ADMIN, REQUESTERS = urllib.parse.urlsplit(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
lock = threading.Lock()
failures = []
answers = {}  # (kind, who, status) -> count
answered = {}  # (kind, who) -> the ticket numbers of the 201 answers


def post(token, path, body):
    connection = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=120)
    try:
        connection.request("POST", path, body=json.dumps(body).encode(),
                           headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        response = connection.getresponse()
        payload = json.loads(response.read() or b"null")
        return response.status, payload, response.getheader("Retry-After")
    finally:
        connection.close()


def client(kind, who, token, requests):
    """One client sending `requests` ((path, body) pairs) one after the other."""
    try:
        for path, body in requests:
            status, payload, retry = post(token, path, body)
            with lock:
                answers[(kind, who, status)] = answers.get((kind, who, status), 0) + 1
                if status == 201:
                    number = (payload.get("ticket") or payload.get("response"))["ticketNumber"]
                    answered.setdefault((kind, who), []).append(number)
                elif status == 429 and not (retry and retry.isdigit()):
                    failures.append(f"{who} {kind}: 429 without a Retry-After of seconds: {retry!r}")
                elif status not in (429, 400):
                    failures.append(f"{who} {kind}: {status} {payload}")
    except Exception as error:  # noqa: BLE001 - any failure of a client is the test's failure
        with lock:
            failures.append(f"{who} {kind}: {error!r}")


def at_once(clients):
    """Runs every (kind, who, token, requests) client on a thread of its own, all at once."""
    threads = [threading.Thread(target=client, args=c) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def spread(total, parts=3):
    """`total` split into `parts` near-equal counts."""
    return [total // parts + (1 if k < total % parts else 0) for k in range(parts)]


def expect(kind, who, added, refused):
    got = (answers.get((kind, who, 201), 0), answers.get((kind, who, 429), 0))
    if got != (added, refused):
        failures.append(f"{who} {kind}: {got[0]} added and {got[1]} refused with 429, expected {added} and {refused}")


TICKETS = "/api/support/tickets"
good = {"subject": "Printer jam", "message": "It jams on every page.", "category": "bug-report"}


def tickets(who, count, body=good):
    return [(TICKETS, dict(body, subject=body["subject"] and f"{body['subject']} {who} {i}")) for i in range(count)]


requesters = [f"requester{n}" for n in range(len(REQUESTERS))]
at_once([("create", who, token, tickets(who, count)) for who, token in zip(requesters, REQUESTERS) for count in spread(LIMIT + 3)]
        + [("create", "admin", ADMIN, tickets("admin", 10)) for _ in range(4)]
        + [("create", "bad", ADMIN, [(TICKETS, body)]) for body in [dict(good, subject=""), dict(good, category="nonsense")] * 5])
for who in requesters:
    expect("create", who, LIMIT, 3)
expect("create", "admin", 40, 0)
if answers.get(("create", "bad", 400), 0) != 10:
    failures.append(f"bad bodies: {answers.get(('create', 'bad', 400), 0)} of 10 refused with 400")

firsts = [min(answered.get(("create", who), ["none"])) for who in requesters]


def replies(who, numbers):
    return [(f"{TICKETS}/{number}/responses", {"message": f"Reply {i} from {who}"}) for i, number in enumerate(numbers)]


at_once([("reply", who, token, replies(who, [first] * count))
         for who, token, first in zip(requesters, REQUESTERS, firsts) for count in spread(LIMIT + 2)]
        + [("reply", "admin", ADMIN, replies("admin", [firsts[(k + i) % len(firsts)] for i in range(5)])) for k in range(4)])
for who in requesters:
    expect("reply", who, LIMIT, 2)
expect("reply", "admin", 20, 0)

created = sorted(n for (kind, _), numbers in answered.items() if kind == "create" for n in numbers)
reply_count = sum(len(numbers) for (kind, _), numbers in answered.items() if kind == "reply")
print(json.dumps({"created": created, "replies": reply_count}))
for failure in failures:
    print("FAIL:", failure)
print(f"{len(failures)} failures")
