#!/usr/bin/env python3
"""Reads that wait on the database must not stop the server answering (ServerAPITests).

    waiting_reads_e2e.py wait BASE TOKEN TICKET READS
    waiting_reads_e2e.py busy BASE TOKEN TICKET READS

wait: the test holds a lock on the desk's tickets. This script sends READS reads of TICKET at
once (each then waits for the lock), checks after a moment that none has been answered (they do
wait), then asks for /openapi.yaml, which needs no database: it must be answered within 2 s
while the reads still wait. Then every read must end 200 with the ticket, once the test's lock
is gone.

busy: the test holds the desk's people locked past the server's lock timeout, so no token can be
checked. READS reads at once must each end 503 with Retry-After (the database was busy: not the
client's failure, so not 401), and once the lock is gone a read must end 200: the 503s were not
counted as failed authentications (the server runs with a limit below READS). Prints "N failures".
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request

mode, base, token, ticket, reads = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
failures = []
answers = {}
lock = threading.Lock()


def read(index):
    request = urllib.request.Request(f"{base}/api/support/tickets/{ticket}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.loads(response.read())
            outcome = (response.status, (body.get("ticket") or {}).get("ticketNumber"))
    except urllib.error.HTTPError as error:
        outcome = (error.code, (error.headers.get("Retry-After"), error.read()[:200]))
    except Exception as error:  # a timeout or a dropped connection
        outcome = (None, repr(error))
    with lock:
        answers[index] = (time.monotonic(), outcome)


threads = [threading.Thread(target=read, args=(i,)) for i in range(reads)]
for thread in threads:
    thread.start()

if mode == "busy":
    for thread in threads:
        thread.join(90)
    for index in range(reads):
        code, detail = answers.get(index, (0, (None, "never ended")))[1]
        if code != 503 or not isinstance(detail, tuple) or detail[0] is None:
            failures.append(f"read {index} while the people were locked: {code} {detail!r} (503 with Retry-After expected)")
    deadline = time.monotonic() + 30
    while True:
        read(reads)
        code, detail = answers[reads][1]
        if code != 503 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if code != 200 or detail != ticket:
        failures.append(f"the read after the lock: {code} {detail!r} (200 expected: a busy database is no failed authentication)")
    print(f"{reads} reads while locked: " + ", ".join(str(answers[i][1][0]) for i in range(reads)) + f"; after: {code}")
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(failures)} failures")
    sys.exit(1 if failures else 0)

time.sleep(1.0)
with lock:
    early = dict(answers)
if early:
    failures.append(f"{len(early)} of {reads} reads were answered while the tickets were locked: {early}")

asked = time.monotonic()
try:
    with urllib.request.urlopen(f"{base}/openapi.yaml", timeout=30) as response:
        status, text = response.status, response.read()
except Exception as error:
    status, text = None, repr(error).encode()
answered = time.monotonic()
with lock:
    reads_done = len(answers)
print(f"/openapi.yaml: {status} after {answered - asked:.2f} s, {reads_done} of {reads} reads answered by then")
if status != 200 or not text.startswith(b"openapi:"):
    failures.append(f"/openapi.yaml answered {status}: {text[:200]!r}")
if answered - asked > 2.0:
    failures.append(f"/openapi.yaml took {answered - asked:.2f} s while reads waited on the database")
if reads_done:
    failures.append(f"{reads_done} reads had ended before /openapi.yaml was answered (by then the lock was gone)")

for thread in threads:
    thread.join(90)
for index in range(reads):
    if index not in answers:
        failures.append(f"read {index} never ended")
        continue
    _, (code, number) = answers[index]
    if code != 200 or number != ticket:
        failures.append(f"read {index}: {code} {number!r}")
print(f"{reads} reads: " + ", ".join(f"{answers[i][1][0]}" for i in sorted(answers)))
for failure in failures:
    print("FAIL", failure)
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
