#!/usr/bin/env python3
"""The creators of PostgresHostsTests: one thread per requester opens tickets over HTTP, and after
each ticket the agent answers it publicly (so that the requester is mailed), against two
`support serve` processes on one PostgreSQL database.

Usage: hosts_creators.py LOG TICKETS_PER_CREATOR SERVER_A SERVER_B AGENT_TOKEN REQUESTER_TOKEN...

Creator k sends its requests to server k % 2. A request that gets no answer (connection refused,
reset or closed before the whole response came) is sent again, the same body, to the other server,
and the creator stays there: what a client behind a load balancer does when a host dies. Whether
the lost request landed is for the test to find out in the database.

Every request is one JSON line in LOG, written as soon as it is answered or lost:
  {"creator": k, "kind": "ticket" | "reply", "key": "...", "try": n, "server": i,
   "status": 201 | other | null (no answer), "ticket": "ST-..." (when answered)}
Exits 0 when every creator got every ticket and reply answered (with any status), 1 otherwise.

With CREATORS_GATE set to a path, each creator stops after a third of its tickets (rounded up)
while that file exists: the kill test holds them there so that a kill always lands before they
are done (on a fast machine they all finished before a flush held its first mail program).
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

LOG, PER_CREATOR = sys.argv[1], int(sys.argv[2])
SERVERS = [urllib.parse.urlsplit(sys.argv[3]), urllib.parse.urlsplit(sys.argv[4])]
AGENT, REQUESTERS = sys.argv[5], sys.argv[6:]
TRIES = 6
GATE = os.environ.get("CREATORS_GATE")
log_lock = threading.Lock()
log = open(LOG, "a", encoding="utf-8")
problems = []


def note(entry):
    with log_lock:
        log.write(json.dumps(entry) + "\n")
        log.flush()


def post(server, path, token, body):
    """(status, parsed body), or None when the server gave no answer."""
    url = SERVERS[server]
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request("POST", path, body=json.dumps(body).encode(),
                           headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        response = connection.getresponse()
        payload = response.read()
    except (ConnectionError, http.client.HTTPException, OSError):
        return None
    finally:
        connection.close()
    try:
        return response.status, json.loads(payload)
    except ValueError:
        return response.status, payload.decode("utf-8", "replace")


def send(creator, state, kind, key, path, token, body):
    """Sends until answered, moving to the other server after a lost request; the answer or None."""
    for attempt in range(1, TRIES + 1):
        answer = post(state["server"], path, token, body)
        entry = {"creator": creator, "kind": kind, "key": key, "try": attempt, "server": state["server"],
                 "status": answer[0] if answer else None}
        if answer is None:
            note(entry)
            state["server"] = 1 - state["server"]
            continue
        status, payload = answer
        if status == 201 and kind == "ticket":
            entry["ticket"] = payload["ticket"]["ticketNumber"]
        elif status != 201:
            entry["body"] = str(payload)[:300]
        note(entry)
        return answer
    return None


def creator(k):
    state = {"server": k % 2}
    for i in range(PER_CREATOR):
        if GATE and i == (PER_CREATOR + 2) // 3:
            while os.path.exists(GATE):
                time.sleep(0.02)
        key = f"c{k}-t{i}"
        answer = send(k, state, "ticket", key, "/api/support/tickets", REQUESTERS[k],
                      {"subject": f"Hosts {key}", "message": f"Ticket {key} from creator {k}.",
                       "category": "technical-issue"})
        if answer is None or answer[0] != 201:
            problems.append(f"{key}: {answer}")
            return
        number = answer[1]["ticket"]["ticketNumber"]
        answer = send(k, state, "reply", key, f"/api/support/tickets/{number}/responses", AGENT,
                      {"message": f"Reply to {key}.", "isInternal": False, "notifyUser": True})
        if answer is None or answer[0] != 201:
            problems.append(f"reply to {key}: {answer}")
            return


threads = [threading.Thread(target=creator, args=(k,)) for k in range(len(REQUESTERS))]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
log.close()
for problem in problems:
    print("FAIL:", problem, flush=True)
sys.exit(1 if problems else 0)
