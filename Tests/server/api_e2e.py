#!/usr/bin/env python3
"""End-to-end checks of `support serve` over real HTTP (run by ServerAPITests).

Usage: api_e2e.py BASE_URL SUPPORT_BINARY DB_PATH OPENAPI_YAML AUTH_FAILURE_LIMIT

The users admin@example.com (admin), agent@example.com (internal), alice@example.com and
bob@example.com (user) must exist. Prints one line per failed check and exits 1 if any failed.
"""
import base64
import hashlib
import hmac
import http.client
import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE, SUPPORT, DB, OPENAPI, AUTH_LIMIT = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)


def cli(*args):
    done = subprocess.run([SUPPORT, *args, "--db", DB], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"support {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def desk_sql(statement):
    """Runs SQL on the desk's database: psql for a postgresql:// desk (the password from
    PGPASSWORD, as the test passes it), else the SQLite file. Returns the first row or None."""
    if DB.startswith("postgresql://"):
        done = subprocess.run(["psql", "--no-psqlrc", "--quiet", "--no-align", "--tuples-only", "--field-separator=\t",
                               "--set=ON_ERROR_STOP=1", f"--dbname={DB}?sslmode=disable", f"--command={statement}"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"psql {statement}: {done.stderr}")
        lines = done.stdout.splitlines()
        return tuple(lines[0].split("\t")) if lines else None
    with sqlite3.connect(DB, timeout=30) as connection:
        return connection.execute(statement).fetchone()


def call(method, path, token=None, body=None, raw=None, headers=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if token is not None:
        request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, head, payload = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, head, payload = error.code, error.headers, error.read()
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = payload.decode("utf-8", "replace")
    return status, head, parsed


def is_api_error(payload):
    return isinstance(payload, dict) and set(payload) == {"error", "code", "details"} and payload["error"]


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# (hex on both engines: PostgreSQL's bytea and SQLite's blob read back as the same bytes)
_secret = desk_sql("SELECT lower(hex(secret)) FROM server_key WHERE name = 'hs256'" if not DB.startswith("postgresql://")
                   else "SELECT encode(secret, 'hex') FROM server_key WHERE name = 'hs256'")
SECRET = (bytes.fromhex(_secret[0]),) if _secret else None


def forge(claims, alg="HS256", key=None, signature=None):
    """A token signed with the desk's own key (so only the claim under test is wrong)."""
    header = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    signing_input = f"{header}.{payload}".encode()
    if signature is None:
        signature = b64(hmac.new(key or SECRET[0], signing_input, hashlib.sha256).digest())
    return f"{header}.{payload}.{signature}"


def claims(email, **changes):
    now = int(time.time())
    base = {"sub": email, "aud": ["support-api"], "iss": "support", "iat": now, "exp": now + 3600, "nbf": now - 5, "gen": 0}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


tokens = {name: cli("token", "issue", f"{name}@example.com").strip() for name in ["admin", "agent", "alice", "bob"]}
check(all(t.count(".") == 2 for t in tokens.values()), "token issue prints a JWT")
check(SECRET is not None, "the signing key is stored in the database")
check("server_key" not in cli("settings", "get") and b64(SECRET[0]) not in cli("settings", "get"),
      "settings get does not show the key")

# --- The seed's flow: a user submits; staff see and respond; the user sees the reply; resolved.
status, _, body = call("POST", "/api/support/tickets", tokens["alice"],
                       {"subject": "Cannot log in", "message": "Password reset mail never arrives", "category": "Account Issue"})
check(status == 201, f"alice creates a ticket: {status} {body}")
number = body["ticket"]["ticketNumber"]
check(body["ticket"]["status"] == "Open" and body["ticket"]["priority"] == "Medium", "a new ticket is Open, Medium")
check(body["ticket"]["submittedBy"]["email"] == "alice@example.com", "submitted by alice")

status, _, body = call("GET", "/api/support/tickets", tokens["admin"])
check(status == 200 and any(t["ticketNumber"] == number for t in body["tickets"]), "the admin sees alice's ticket")
check(set(body["pagination"]) == {"total", "page", "limit", "pages"}, "the seed's pagination object")

status, _, body = call("POST", f"/api/support/tickets/{number}/responses", tokens["agent"],
                       {"message": "Probably the spam filter; internal", "isInternal": True})
check(status == 201 and body["response"]["isInternal"] is True, f"staff add an internal note: {status}")
status, _, body = call("POST", f"/api/support/tickets/{number}/responses", tokens["admin"],
                       {"message": "Please check your spam folder."})
check(status == 201, f"the admin replies: {status} {body}")

status, _, body = call("GET", f"/api/support/tickets/{number}", tokens["alice"])
messages = [r["message"] for r in body["ticket"]["responses"]]
check(status == 200 and messages == ["Please check your spam folder."], f"alice sees the reply and not the note: {messages}")
status, _, body = call("GET", f"/api/support/tickets/{number}/responses", tokens["alice"])
check(status == 200 and [r["message"] for r in body["responses"]] == ["Please check your spam folder."], "responses route hides the note")
status, _, body = call("GET", f"/api/support/tickets/{number}/history", tokens["alice"])
check(status == 200 and not any(e["isInternal"] for e in body["history"]), "history hides internal events from alice")
status, _, body = call("GET", f"/api/support/tickets/{number}", tokens["agent"])
check(len(body["ticket"]["responses"]) == 2, "staff see both replies")

status, _, body = call("PATCH", f"/api/support/tickets/{number}", tokens["admin"],
                       {"status": "resolved", "assignedTo": "agent@example.com", "priority": "High"})
check(status == 200 and body["ticket"]["status"] == "Resolved" and body["ticket"]["resolvedAt"], f"admin resolves: {status} {body}")
check(body["ticket"]["assignedTo"]["email"] == "agent@example.com", "assigned to the agent")
status, _, body = call("GET", f"/api/support/tickets/{number}", tokens["alice"])
check(body["ticket"]["status"] == "Resolved", "alice sees Resolved")

# --- Roles against routes.
status, _, body = call("GET", f"/api/support/tickets/{number}", tokens["bob"])
check(status == 404 and is_api_error(body), f"bob does not see alice's ticket: {status}")
status, _, body = call("GET", f"/api/support/tickets/{number}/responses", tokens["bob"])
check(status == 404, "bob cannot read alice's replies")
status, _, body = call("POST", f"/api/support/tickets/{number}/responses", tokens["bob"], {"message": "me too"})
check(status == 404, f"bob cannot reply to alice's ticket: {status}")
status, _, body = call("GET", "/api/support/tickets", tokens["bob"])
check(status == 200 and body["tickets"] == [] and body["pagination"]["total"] == 0, "bob's list is empty")
status, _, body = call("POST", f"/api/support/tickets/{number}/responses", tokens["alice"], {"message": "x", "isInternal": True})
check(status == 403 and body["code"] == "FORBIDDEN", f"a requester cannot add an internal note: {status}")
for who in ["alice", "agent"]:
    status, _, body = call("DELETE", f"/api/support/tickets/{number}", tokens[who])
    check(status == 403, f"{who} cannot delete: {status}")
    status, _, body = call("GET", "/api/admin/support/settings", tokens[who])
    check(status == 403 and is_api_error(body), f"{who} cannot read settings: {status}")
    status, _, body = call("GET", "/api/admin/outbox", tokens[who])
    check(status == 403, f"{who} cannot read the outbox: {status}")
status, _, body = call("PATCH", f"/api/support/tickets/{number}", tokens["alice"], {"assignedTo": "agent@example.com"})
check(status == 403, f"alice cannot assign: {status}")
status, _, _ = call("GET", "/api/support/stats", tokens["alice"])
check(status == 403, "alice cannot see stats")
status, _, body = call("GET", "/api/support/stats", tokens["agent"])
check(status == 200 and isinstance(body, dict), f"staff see stats: {status}")
status, _, body = call("GET", "/api/admin/users", tokens["admin"])
check(status == 200 and {u["email"] for u in body["users"]} >= {"alice@example.com", "admin@example.com"}, "admin lists users")
status, _, _ = call("GET", "/api/admin/users", tokens["alice"])
check(status == 403, "alice cannot list users")
status, _, body = call("GET", "/api/admin/outbox", tokens["admin"])
check(status == 200 and "messages" in body, "admin reads the outbox")
status, _, body = call("POST", "/api/admin/outbox/retry", tokens["admin"])
check(status == 200 and body["retried"] == 0, f"admin retries failed mail (none): {status} {body}")

# --- Settings.
status, _, body = call("GET", "/api/admin/support/settings", tokens["admin"])
check(status == 200 and body["support_auto_response"] is False, f"admin reads settings: {status}")
check(not any(isinstance(v, str) and b64(SECRET[0]) in v for v in body.values()), "no key among the settings")
status, _, body = call("PUT", "/api/admin/support/settings", tokens["admin"],
                       {"support_auto_response": True, "ticket_rate_limit_per_hour": "nope"})
check(status == 400 and body["details"]["field"] == "ticket_rate_limit_per_hour", f"a bad value is refused: {status} {body}")
status, _, body = call("GET", "/api/admin/support/settings", tokens["admin"])
check(body["support_auto_response"] is False, "a refused PUT changes nothing")
status, _, body = call("PUT", "/api/admin/support/settings", tokens["admin"], {"support_email": "help@example.com", "ticket_rate_limit_per_hour": 3})
check(status == 200 and body["support_email"] == "help@example.com" and body["ticket_rate_limit_per_hour"] == 3, f"PUT settings: {status} {body}")

status, _, body = call("PUT", "/api/admin/support/settings", tokens["admin"], {"sendmail_command": "/bin/sh -c id"})
check(status == 403 and is_api_error(body), f"the mail program cannot be set over HTTP: {status}")
check("/bin/sh" not in json.dumps(call("GET", "/api/admin/support/settings", tokens["admin"])[2]), "and it was not set")
status, headers, body = call("POST", "/api/admin/support/settings", tokens["admin"], {"support_name": "x"})
check(status == 405 and "PUT" in (headers.get("Allow") or "") and is_api_error(body), f"a known path with another method is 405: {status}")

# --- Listing: filters, search, sort, pagination as `ticket list`.
for i in range(2):
    status, _, _ = call("POST", "/api/support/tickets", tokens["bob"],
                        {"subject": f"Invoice {i} wrong", "message": "The totals are off by zebra", "category": "general-inquiry", "priority": "low"})
    check(status == 201, f"bob creates ticket {i}")
status, headers, body = call("POST", "/api/support/tickets", tokens["bob"], {"subject": "Third", "message": "m", "category": "bug-report"})
check(status == 201, "bob's third ticket this hour")
bobs_ticket = body["ticket"]["ticketNumber"]
status, headers, body = call("POST", "/api/support/tickets", tokens["bob"], {"subject": "Fourth", "message": "m", "category": "bug-report"})
check(status == 429 and body["code"] == "RATE_LIMITED" and int(headers.get("Retry-After", "0")) > 0,
      f"the fourth ticket in an hour is rate limited with Retry-After: {status} {dict(headers)}")

# Replies per person: the setting over HTTP, 429 with Retry-After past it, staff exempt.
status, _, body = call("PUT", "/api/admin/support/settings", tokens["admin"], {"reply_rate_limit_per_hour": 2})
check(status == 200 and body["reply_rate_limit_per_hour"] == 2, f"PUT reply_rate_limit_per_hour: {status} {body}")
for i in range(2):
    status, _, _ = call("POST", f"/api/support/tickets/{bobs_ticket}/responses", tokens["bob"], {"message": f"more {i}"})
    check(status == 201, f"bob's reply {i} within the limit: {status}")
status, headers, body = call("POST", f"/api/support/tickets/{bobs_ticket}/responses", tokens["bob"], {"message": "once more"})
check(status == 429 and body["code"] == "RATE_LIMITED" and int(headers.get("Retry-After", "0")) > 3000,
      f"bob's third reply in an hour is 429 with Retry-After (about an hour): {status} {dict(headers)} {body}")
status, _, body = call("GET", f"/api/support/tickets/{bobs_ticket}/responses", tokens["bob"])
check(status == 200 and len(body["responses"]) == 2, "the refused reply was not stored")
status, _, _ = call("POST", f"/api/support/tickets/{bobs_ticket}/responses", tokens["admin"], {"message": "staff are not limited"})
check(status == 201, f"staff replies are not limited: {status}")

def listing(query, token="admin"):
    return call("GET", "/api/support/tickets?" + urllib.parse.urlencode(query, doseq=True, quote_via=urllib.parse.quote), tokens[token])

status, _, body = listing({"status": "resolved"})
check(status == 200 and [t["ticketNumber"] for t in body["tickets"]] == [number], "status filter")
status, _, body = listing({"status": ["open", "in-progress"], "priority": "low"})
check(status == 200 and body["pagination"]["total"] == 2, f"repeated status and priority: {body['pagination'] if status == 200 else body}")
status, _, body = listing({"search": "zebra"})
check(status == 200 and body["pagination"]["total"] == 2, f"search: {status}")
status, _, body = listing({"limit": "2", "page": "2", "sort": "created", "reverse": "true"})
check(status == 200 and body["pagination"] == {"total": 4, "page": 2, "limit": 2, "pages": 2} and len(body["tickets"]) == 2,
      f"pagination: {body.get('pagination') if isinstance(body, dict) else body}")
status, _, body = listing({"requester": "bob@example.com", "category": "bug-report"})
check(status == 200 and body["pagination"]["total"] == 1, "requester and category filters")
status, _, body = listing({"assignee": "agent@example.com"})
check(status == 200 and body["pagination"]["total"] == 1, "assignee filter")
for bad in [{"limit": "0"}, {"limit": "501"}, {"page": "x"}, {"page": "0"}, {"sort": "bogus"}, {"status": "nope"},
            {"since": "yesterday-ish"}, {"since": "2026-12-01", "until": "2026-11-01"}, {"colour": "red"}]:
    status, _, body = listing(bad)
    check(status == 400 and is_api_error(body) and body["code"] == "INVALID_INPUT", f"bad query {bad} → 400: {status}")
    # The core names fields, and the API words them as its own (never a command line's flags).
    check("--" not in body["error"], f"bad query {bad}: the answer names no command-line flag: {body['error']}")
# A rule of the core about two fields of the body, worded with the body's field names.
status, _, body = call("POST", "/api/support/tickets", tokens["agent"],
                       {"subject": "No one", "message": "A name without an address", "category": "general-inquiry",
                        "requesterName": "Nobody"})
check(status == 400 and is_api_error(body) and "--" not in body["error"] and "requesterEmail" in body["error"],
      f"requesterName without requesterEmail: 400 naming the fields: {status} {body}")

# --- The permission matrix: each role against every route (as PermissionMatrixTests for the
# commands): another requester's ticket does not exist for a requester (404), a requester is
# refused staff work on their own (403), and staff-only routes are 403 for requesters.
call("PUT", "/api/admin/support/settings", tokens["admin"], {"reply_rate_limit_per_hour": 0})
status, _, body = call("POST", "/api/support/tickets", tokens["alice"],
                       {"subject": "Matrix ticket", "message": "Printer on fire", "category": "technical-issue"})
check(status == 201, f"alice opens the matrix ticket: {status} {body}")
mx = body["ticket"]["ticketNumber"]
SECRET_WORD = "quokkasecret"
status, _, _ = call("POST", f"/api/support/tickets/{mx}/responses", tokens["agent"],
                    {"message": f"Internal: {SECRET_WORD} suspects the requester", "isInternal": True})
check(status == 201, "the agent adds an internal note to the matrix ticket")
T = f"/api/support/tickets/{mx}"
#                   (method, path, body)                                              admin agent owner other
matrix = [
    (("GET", "/api/support/tickets", None),                                             (200, 200, 200, 200)),
    (("GET", T, None),                                                                  (200, 200, 200, 404)),
    (("PUT", T, {"priority": "high"}),                                                  (200, 200, 403, 404)),
    (("PATCH", T, {"status": "in-progress"}),                                           (200, 200, 403, 404)),
    (("GET", T + "/responses", None),                                                   (200, 200, 200, 404)),
    (("POST", T + "/responses", {"message": "a public reply"}),                         (201, 201, 201, 404)),
    (("POST", T + "/responses", {"message": "a note", "isInternal": True}),             (201, 201, 403, 404)),
    (("GET", T + "/history", None),                                                     (200, 200, 200, 404)),
    (("DELETE", T, None),                                                               (None, 403, 403, 404)),
    (("GET", "/api/support/stats", None),                                               (200, 200, 403, 403)),
    (("GET", "/api/admin/support/settings", None),                                      (200, 403, 403, 403)),
    (("PUT", "/api/admin/support/settings", {"support_name": "Support"}),               (200, 403, 403, 403)),
    (("GET", "/api/admin/users", None),                                                 (200, 200, 403, 403)),
    (("GET", "/api/admin/outbox", None),                                                (200, 403, 403, 403)),
    (("POST", "/api/admin/outbox/retry", None),                                         (200, 403, 403, 403)),
    (("POST", "/api/support/tickets", {"subject": "On behalf", "message": "m", "category": "bug-report",
                                       "requesterEmail": "bob@example.com"}),           (201, 201, 403, None)),
]
roles = {"admin": tokens["admin"], "agent": tokens["agent"], "owner": tokens["alice"], "other": tokens["bob"]}
seen = []
for (method, path, payload), expected in matrix:
    for role, want in zip(["admin", "agent", "owner", "other"], expected):
        if want is None:
            continue
        status, headers, body = call(method, path, roles[role], payload)
        check(status == want, f"matrix: {role} {method} {path} -> {want}: {status} {str(body)[:160]}")
        if status >= 400:
            check(is_api_error(body), f"matrix: {role} {method} {path}: the error shape")
        if role in ("owner", "other"):
            seen.append(json.dumps(body) + json.dumps(dict(headers)))
# Nothing a requester received, body or header, carries the internal note or its author's words.
check(not any(SECRET_WORD in text for text in seen), "no internal note in anything a requester received")
for who in ["owner", "other"]:
    status, _, body = call("GET", "/api/support/tickets?search=" + SECRET_WORD, roles[who])
    check(status == 200 and body["pagination"]["total"] == 0, f"{who}'s search does not count the internal note: {body}")
status, _, body = call("GET", "/api/support/tickets?search=" + SECRET_WORD, roles["admin"])
check(status == 200 and body["pagination"]["total"] == 1, f"staff's search finds the note (control): {body.get('pagination')}")
# Another's ticket and no ticket at all are the same answer, but for the number.
_, head_other, other = call("GET", T, roles["other"])
missing = T.rsplit("-", 1)[0] + "-999999"
_, head_missing, nothing = call("GET", missing, roles["other"])
check(json.dumps(other).replace(mx, "N") == json.dumps(nothing).replace(missing.rsplit("/", 1)[1], "N"),
      f"another's ticket looks like no ticket: {other} vs {nothing}")
check(sorted(k.lower() for k in head_other.keys()) == sorted(k.lower() for k in head_missing.keys()),
      "and with the same headers")
status, _, body = call("GET", T + "/responses", roles["owner"])
check(status == 200 and all(not r["isInternal"] for r in body["responses"]) and
      [r.get("id") for r in body["responses"]] == sorted(r.get("id") for r in body["responses"]), "the owner sees public replies only")

# --- Bad paths and bodies change nothing.
status, _, body = call("GET", "/api/support/tickets/not-a-number", tokens["admin"])
check(status == 400 and is_api_error(body), f"a malformed ticket number is 400: {status}")
status, _, body = call("GET", "/api/support/tickets/ST-2020-999", tokens["admin"])
check(status == 404 and body["code"] == "NOT_FOUND", "no such ticket is 404")
status, _, body = call("GET", "/api/nothing-here", tokens["admin"])
check(status == 404 and is_api_error(body), f"an unknown route is a JSON 404: {status} {body}")

_, _, before = call("GET", "/api/support/tickets", tokens["admin"])
hostile = [
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000),
    ("deep object", b'{"subject":' * 50_000 + b"1" + b"}" * 50_000),
    ("huge number", b'{"subject":"s","message":"m","category":"bug-report","priority":1e999999}'),
    ("huge integer subject", b'{"subject":' + b"9" * 100_000 + b',"message":"m","category":"bug-report"}'),
    ("invalid UTF-8", b'{"subject":"\xff\xfe bad","message":"m","category":"bug-report"}'),
    ("not JSON", b"subject=hello"),
    ("JSON null", b"null"),
    ("empty", b""),
    ("missing message", b'{"subject":"s","category":"bug-report"}'),
    ("NUL in subject", b'{"subject":"a\\u0000b","message":"m","category":"bug-report"}'),
]
for name, payload in hostile:
    status, _, body = call("POST", "/api/support/tickets", tokens["admin"], raw=payload)
    check(status == 400 and is_api_error(body), f"{name} → 400: {status} {str(body)[:200]}")

def big_post(size):
    """A body of `size` bytes by hand: the server may answer 413 before it has read it all."""
    connection = http.client.HTTPConnection(BASE.split("//")[1], timeout=60)
    connection.putrequest("POST", "/api/support/tickets")
    connection.putheader("Authorization", "Bearer " + tokens["admin"])
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(size))
    connection.endheaders()
    chunk = b'{"subject":"' + b"a" * (64 * 1024)
    sent = 0
    try:
        while sent < size:
            piece = chunk[: size - sent]
            connection.send(piece)
            sent += len(piece)
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    except (ConnectionResetError, http.client.RemoteDisconnected) as error:
        return None, str(error)

status, body = big_post(10 * 1024 * 1024)
check(status == 413 and is_api_error(body), f"a 10 MB body → 413: {status} {str(body)[:200]}")
_, _, after = call("GET", "/api/support/tickets", tokens["admin"])
check(after["pagination"]["total"] == before["pagination"]["total"], "hostile bodies created nothing")

# --- JWT attacks: each a 401 in the error shape.
attacks = {
    "no header": None,
    "empty bearer": "",
    "garbage": "not.a.token",
    "alg none": forge(claims("admin@example.com"), alg="none", signature=""),
    "alg none, signed": forge(claims("admin@example.com"), alg="none"),
    "HS/RS confusion": forge(claims("admin@example.com"), alg="RS256"),
    "HS512": forge(claims("admin@example.com"), alg="HS512"),
    "expired": forge(claims("admin@example.com", iat=int(time.time()) - 7200, exp=int(time.time()) - 60)),
    "future nbf": forge(claims("admin@example.com", nbf=int(time.time()) + 3600)),
    "wrong audience": forge(claims("admin@example.com", aud=["someone-else"])),
    "wrong issuer": forge(claims("admin@example.com", iss="evil")),
    "no expiry": forge(claims("admin@example.com", exp=None)),
    "wrong key": forge(claims("admin@example.com"), key=b"0" * 32),
    "unknown user": forge(claims("nobody@example.com")),
    "old generation": forge(claims("admin@example.com", gen=-1)),
}
parts = tokens["alice"].split(".")
payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
payload["sub"] = "admin@example.com"
attacks["tampered payload"] = f"{parts[0]}.{b64(json.dumps(payload).encode())}.{parts[2]}"
check(len(attacks) < AUTH_LIMIT - 5, "the attacks fit under the failed-auth limit")
for name, token in attacks.items():
    status, headers, body = call("GET", "/api/admin/support/settings", token)
    check(status == 401 and is_api_error(body) and body["code"] == "UNAUTHORIZED", f"{name} → 401: {status}")
    check("Bearer" in (headers.get("WWW-Authenticate") or ""), f"{name}: WWW-Authenticate")
check(call("GET", "/api/admin/support/settings", forge(claims("admin@example.com")))[0] == 200, "a well-made token works (control)")
# The server remembers a token it checked (VerifiedTokens): past its expiry it is refused all the same.
short = forge(claims("admin@example.com", exp=int(time.time()) + 3))
check(call("GET", "/api/admin/support/settings", short)[0] == 200, "a token with 3 s left works")
time.sleep(max(0, json.loads(base64.urlsafe_b64decode(short.split(".")[1] + "=="))["exp"] - time.time()) + 1.1)
status, _, body = call("GET", "/api/admin/support/settings", short)
check(status == 401 and body["code"] == "UNAUTHORIZED", f"the same token, once expired, is refused though it was checked before: {status}")

# --- Role from the database, revocation.
cli("user", "update", "agent@example.com", "--role", "user")
status, _, _ = call("GET", "/api/support/stats", tokens["agent"])
check(status == 403, f"a demoted agent's old token has the new role: {status}")
cli("token", "revoke", "alice@example.com")
status, _, _ = call("GET", "/api/support/tickets", tokens["alice"])
check(status == 401, f"a revoked token is refused: {status}")
fresh = cli("token", "issue", "alice@example.com", "--expires", "1h").strip()
status, _, _ = call("GET", "/api/support/tickets", fresh)
check(status == 200, f"a token issued after the revocation works: {status}")
# The person and their token generation are read in one statement on every request: a removed
# person's token is refused; brought back, their old token stays revoked (removal raised the
# generation) and a new one works.
cli("user", "remove", "bob@example.com")
status, _, body = call("GET", "/api/support/tickets", tokens["bob"])
check(status == 401 and is_api_error(body), f"a removed person's token is refused: {status}")
cli("user", "add", "bob@example.com")
status, _, _ = call("GET", "/api/support/tickets", tokens["bob"])
check(status == 401, f"a person brought back: their token from before the removal stays refused: {status}")
status, _, _ = call("GET", "/api/support/tickets", cli("token", "issue", "bob@example.com", "--expires", "1h").strip())
check(status == 200, f"a person brought back: a new token works: {status}")

# --- Deletion and the document.
status, _, body = call("DELETE", f"/api/support/tickets/{number}", tokens["admin"])
check(status == 200 and body == {"success": True}, f"admin deletes: {status}")
status, _, _ = call("GET", f"/api/support/tickets/{number}", tokens["admin"])
check(status == 404, "deleted is gone")
with urllib.request.urlopen(BASE + "/openapi.yaml", timeout=30) as response:
    served = response.read().decode()
check(served == open(OPENAPI, encoding="utf-8").read(), "/openapi.yaml serves docs/openapi.yaml as committed")

# --- Failed authentications per address: past the limit, 429 with Retry-After, even for a good token.
limited = None
for attempt in range(AUTH_LIMIT + 2):
    status, headers, body = call("GET", "/api/support/tickets", "bad.token.here")
    if status == 429:
        limited = (attempt, headers.get("Retry-After"), body)
        break
check(limited is not None and is_api_error(limited[2]) and int(limited[1]) > 0, f"failed authentications are limited: {limited}")
status, _, _ = call("GET", "/api/support/tickets", tokens["admin"])
check(status == 429, f"the blocked address waits even with a good token: {status}")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
