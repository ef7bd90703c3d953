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
created = []
mine = {}  # who -> the numbers of their tickets
replies = []
answers = {}  # (who, status) -> count


def post(token, body, path="/api/support/tickets"):
    connection = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=120)
    try:
        connection.request("POST", path, body=json.dumps(body).encode(),
                           headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        response = connection.getresponse()
        payload = json.loads(response.read() or b"null")
        return response.status, payload, response.getheader("Retry-After")
    finally:
        connection.close()


def creator(who, token, count, body):
    try:
        create(who, token, count, body)
    except Exception as error:  # noqa: BLE001 - any failure of a client is the test's failure
        with lock:
            failures.append(f"{who}: {error!r}")


def create(who, token, count, body):
    for i in range(count):
        subject = body["subject"] and f"{body['subject']} {who} {i}"
        status, payload, retry = post(token, dict(body, subject=subject))
        with lock:
            answers[(who, status)] = answers.get((who, status), 0) + 1
            if status == 201:
                created.append(payload["ticket"]["ticketNumber"])
                mine.setdefault(who, []).append(payload["ticket"]["ticketNumber"])
            elif status == 429 and not (retry and retry.isdigit()):
                failures.append(f"{who}: 429 without a Retry-After of seconds: {retry!r}")
            elif status not in (201, 429, 400):
                failures.append(f"{who}: {status} {payload}")


good = {"subject": "Printer jam", "message": "It jams on every page.", "category": "bug-report"}
threads = []
per_thread = [(LIMIT + 3) // 3 + (1 if k < (LIMIT + 3) % 3 else 0) for k in range(3)]
for n, token in enumerate(REQUESTERS):
    threads += [threading.Thread(target=creator, args=(f"requester{n}", token, c, good)) for c in per_thread]
threads += [threading.Thread(target=creator, args=("admin", ADMIN, 10, good)) for _ in range(4)]
bad = [dict(good, subject=""), dict(good, category="nonsense")] * 5
threads += [threading.Thread(target=creator, args=("bad", ADMIN, 1, body)) for body in bad]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()



def replier(who, token, numbers):
    try:
        for i, number in enumerate(numbers):
            status, payload, retry = post(token, {"message": f"Reply {i} from {who}"}, f"/api/support/tickets/{number}/responses")
            with lock:
                answers[(who + " replies", status)] = answers.get((who + " replies", status), 0) + 1
                if status == 201:
                    replies.append(number)
                elif status == 429 and not (retry and retry.isdigit()):
                    failures.append(f"{who}: a refused reply without a Retry-After of seconds: {retry!r}")
                elif status != 429:
                    failures.append(f"{who} reply: {status} {payload}")
    except Exception as error:  # noqa: BLE001
        with lock:
            failures.append(f"{who} replies: {error!r}")


firsts = [sorted(mine.get(f"requester{n}", ["none"]))[0] for n in range(len(REQUESTERS))]
threads = []
per_thread = [(LIMIT + 2) // 3 + (1 if k < (LIMIT + 2) % 3 else 0) for k in range(3)]
for n, token in enumerate(REQUESTERS):
    threads += [threading.Thread(target=replier, args=(f"requester{n}", token, [firsts[n]] * c)) for c in per_thread]
threads += [threading.Thread(target=replier, args=("admin", ADMIN, [firsts[(k + i) % len(firsts)] for i in range(5)])) for k in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
for n in range(len(REQUESTERS)):
    got = (answers.get((f"requester{n} replies", 201), 0), answers.get((f"requester{n} replies", 429), 0))
    if got != (LIMIT, 2):
        failures.append(f"requester{n}: {got[0]} replies added and {got[1]} refused, expected {LIMIT} and 2")
if answers.get(("admin replies", 201), 0) != 20:
    failures.append(f"admin: {answers.get(('admin replies', 201), 0)} of 20 replies added")

for n in range(len(REQUESTERS)):
    got = (answers.get((f"requester{n}", 201), 0), answers.get((f"requester{n}", 429), 0))
    if got != (LIMIT, 3):
        failures.append(f"requester{n}: {got[0]} created and {got[1]} refused, expected {LIMIT} and 3")
if answers.get(("admin", 201), 0) != 40:
    failures.append(f"admin: {answers.get(('admin', 201), 0)} of 40 created")
if answers.get(("bad", 400), 0) != 10:
    failures.append(f"bad bodies: {answers.get(('bad', 400), 0)} of 10 refused with 400")
print(json.dumps({"created": sorted(created), "replies": len(replies)}))
for failure in failures:
    print("FAIL:", failure)
print(f"{len(failures)} failures")
