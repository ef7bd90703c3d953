#!/usr/bin/env python3
"""A ticket's replies over HTTP, page by page (run by ServerAPITests).

    replies_e2e.py BASE ADMIN_TOKEN REQUESTER_TOKEN OTHER_TOKEN SUPPORT_BINARY DB SERVER_PID

Imports two tickets of alice@example.com into the served file: one of 257 replies (every third an
internal note; replies share their createdAt in runs of seven, so pages end inside a run), one of
600 replies of 60 KiB (36 MB of text). For each, and for the admin and the requester, the two
routes that return replies must give exactly what `support ticket show --all --json` gives the
same person (the requester's replies numbered 1..n without the notes), in order, once each; another
requester gets 404 from both. A ticket of more than a page is sent in chunks; a short one with its
Content-Length. The server's peak RSS (VmHWM) grows by less than 96 MiB from its start through all
of it, the 36 MB ticket sent eight times (43 MiB measured; 221 MiB when the server held the
whole ticket, its JSON tree and its text at once).
"""
import http.client
import json
import subprocess
import sys
import urllib.parse

base, admin_token, user_token, other_token, binary, db, pid = sys.argv[1:8]
url = urllib.parse.urlsplit(base)
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def get(path, token):
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
    connection.request("GET", path, headers={"Authorization": "Bearer " + token})
    response = connection.getresponse()
    body = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    connection.close()
    return response.status, headers, body


def cli(email, *arguments):
    done = subprocess.run([binary, "--db", db, "--as", email, *arguments], capture_output=True, check=True)
    return json.loads(done.stdout)


def peak_rss_kib():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def ticket_line(subject, replies, size):
    alice = {"email": "alice@example.com", "name": "Alice", "role": "user"}
    agent = {"email": "agent@example.com", "name": "Agent", "role": "internal"}
    responses = []
    for k in range(replies):
        internal = k % 3 == 2
        # Seven replies share each minute: keys tie on createdAt across page ends.
        minute = k // 7
        text = f"reply {k} " + ("x" * max(0, size - 12))
        responses.append({"message": text[:size] if size else f"reply {k}",
                          "respondedBy": agent if internal or k % 2 == 0 else alice,
                          "isInternal": internal,
                          "createdAt": f"2026-01-{1 + minute // 1440:02d}T{(minute // 60) % 24:02d}:{minute % 60:02d}:00.000Z"})
    return json.dumps({"subject": subject, "message": "A long conversation", "category": "Bug Report", "priority": "Medium",
                       "status": "Open", "submittedBy": alice, "assignedTo": None, "responses": responses, "attachments": [],
                       "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": responses[-1]["createdAt"],
                       "resolvedAt": None, "closedAt": None})


before = peak_rss_kib()
lines = ticket_line("Many replies", 257, 0) + "\n" + ticket_line("Long replies", 600, 60 * 1024) + "\n"
imported = subprocess.run([binary, "--db", db, "ticket", "import", "--json"], input=lines.encode(), capture_output=True)
check(imported.returncode == 0, f"two tickets imported ({imported.stderr.decode()[-300:]})")
listed = cli("admin@example.com", "ticket", "list", "--status", "all", "--json")["tickets"]
numbers = {t["subject"]: t["ticketNumber"] for t in listed}

for subject, total in (("Many replies", 257), ("Long replies", 600)):
    public = sum(1 for k in range(total) if k % 3 != 2)
    number = numbers.get(subject)
    for email, token, count in (("admin@example.com", admin_token, total), ("alice@example.com", user_token, public)):
        expected = cli(email, "ticket", "show", number, "--all", "--json")["ticket"]
        status, headers, body = get(f"/api/support/tickets/{number}", token)
        check(status == 200, f"{subject}, {email}: GET ticket 200 ({status})")
        check(headers.get("transfer-encoding") == "chunked" and "content-length" not in headers,
              f"{subject}, {email}: sent in chunks ({headers.get('transfer-encoding')}, {headers.get('content-length')})")
        got = json.loads(body)["ticket"]
        check(len(got["responses"]) == count, f"{subject}, {email}: {count} replies ({len(got['responses'])})")
        check(got == expected, f"{subject}, {email}: the same ticket as `ticket show --all --json`")
        ids = [r["id"] for r in got["responses"]]
        check(len(set(ids)) == len(ids), f"{subject}, {email}: each reply once")
        if email == "alice@example.com":
            check(ids == list(range(1, count + 1)) and not any(r["isInternal"] for r in got["responses"]),
                  f"{subject}: the requester's replies numbered 1..{count}, no note")
        status, headers, body = get(f"/api/support/tickets/{number}/responses", token)
        check(status == 200 and json.loads(body) == {"responses": expected["responses"]},
              f"{subject}, {email}: GET responses gives the same replies")
    for path in (f"/api/support/tickets/{number}", f"/api/support/tickets/{number}/responses"):
        status, _, body = get(path, other_token)
        check(status == 404 and b"reply" not in body, f"{subject}: another requester gets 404 from {path} ({status})")

# A short ticket: one buffer with its length, as before.
short = cli("admin@example.com", "ticket", "create", "--subject", "Short", "--category", "bug-report", "--message", "m",
            "--requester", "alice@example.com", "--json")["ticket"]["ticketNumber"]
subprocess.run([binary, "--db", db, "--as", "agent@example.com", "respond", short, "--message", "a reply"], check=True,
               capture_output=True)
status, headers, body = get(f"/api/support/tickets/{short}", user_token)
check(status == 200 and headers.get("content-length") == str(len(body)) and "transfer-encoding" not in headers,
      f"a short ticket is one buffer with its length ({headers})")
check(len(json.loads(body)["ticket"]["responses"]) == 1, "the short ticket's reply")

# Memory: the long ticket four times more.
for _ in range(4):
    status, _, body = get(f"/api/support/tickets/{numbers.get('Long replies')}", admin_token)
    check(status == 200 and len(body) > 36_000_000, f"the long ticket whole ({len(body)} bytes)")
growth = (peak_rss_kib() - before) / 1024
print(f"peak RSS grew by {growth:.1f} MiB from the server's start, a {len(body) / 1048576:.1f} MiB ticket sent eight times")
check(growth < 96, f"peak RSS grows by less than 96 MiB ({growth:.1f})")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
