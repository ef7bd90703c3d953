#!/usr/bin/env python3
"""Request limits and graceful shutdown of `support serve` (run by ServerAPITests).

Usage: limits_e2e.py BASE_URL ADMIN_TOKEN SERVER_PID IDLE_TIMEOUT MAX_CONNECTIONS

The server runs with --idle-timeout IDLE_TIMEOUT (a few seconds) and --max-connections
MAX_CONNECTIONS (a few). The last check sends SIGTERM to SERVER_PID while a request is half sent,
then finishes it: it must be answered. Prints one line per failed check and exits 1 if any failed.
"""
import json
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request

BASE, TOKEN, PID, IDLE, MAXCONN = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
HOST, PORT = BASE.split("//")[1].rsplit(":", 1)
PORT = int(PORT)
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)


def connect():
    return socket.create_connection((HOST, PORT), timeout=IDLE * 4 + 10)


def read_response(sock):
    """Status and body of one response, or None when the server closed the connection first."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return None, data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return int(head.split(b" ")[1]), body
    except (ConnectionResetError, socket.timeout):
        return None, data


def request_head(method, path, extra=b"", length=None):
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {TOKEN}\r\n".encode() + extra
    if length is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {length}\r\n".encode()
    return head + b"\r\n"


def total_tickets():
    request = urllib.request.Request(BASE + "/api/support/tickets", headers={"Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["pagination"]["total"]


before = total_tickets()

# --- Duplicate keys: refused, not silently resolved.
for name, body in [("duplicate subject", b'{"subject":"a","subject":"b","message":"m","category":"bug-report"}'),
                   ("duplicate through an escape", b'{"subject":"a","\\u0073ubject":"b","message":"m","category":"bug-report"}')]:
    sock = connect()
    sock.sendall(request_head("POST", "/api/support/tickets", length=len(body)) + body)
    status, payload = read_response(sock)
    sock.close()
    check(status == 400 and b"twice" in payload, f"{name} -> 400: {status} {payload[:200]}")

# --- Headers: one over 16 KiB, and many adding up past 64 KiB.
for name, extra in [("a 20 KiB header", b"X-Big: " + b"a" * 20_000 + b"\r\n"),
                    ("headers adding up to 90 KiB", b"".join(b"X-Part-%d: %s\r\n" % (i, b"b" * 9_000) for i in range(10))),
                    ("200 header fields", b"".join(b"X-F%d: x\r\n" % i for i in range(200)))]:
    sock = connect()
    try:
        sock.sendall(request_head("GET", "/api/support/tickets", extra=extra))
    except (BrokenPipeError, ConnectionResetError):
        pass
    status, _ = read_response(sock)
    sock.close()
    check(status in (None, 400, 431), f"{name}: refused or closed, not served: {status}")

# --- Slow clients: headers dribbled in never complete; a body dribbled in gets 408.
sock = connect()
start = time.monotonic()
sock.sendall(b"GET /api/support/tickets HTTP/1.1\r\nHost: x\r\n")
closed = None
try:
    while time.monotonic() - start < IDLE * 4:
        sock.sendall(b"X-Slow: 1\r\n")
        time.sleep(0.25)
        sock.settimeout(0.01)
        try:
            if sock.recv(1024) == b"":
                closed = time.monotonic() - start
                break
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = time.monotonic() - start
            break
except (BrokenPipeError, ConnectionResetError):
    closed = time.monotonic() - start
sock.close()
check(closed is not None and closed < IDLE * 3, f"headers dribbled in are cut off after about the idle timeout: {closed}")

body = json.dumps({"subject": "slow", "message": "m" * 2000, "category": "bug-report"}).encode()
sock = connect()
start = time.monotonic()
sock.sendall(request_head("POST", "/api/support/tickets", length=len(body)))
status = None
try:
    for byte in body:
        sock.sendall(bytes([byte]))
        time.sleep(0.2)
        sock.settimeout(0.01)
        try:
            peek = sock.recv(65536, socket.MSG_PEEK)
            if peek:
                sock.settimeout(10)
                status, _ = read_response(sock)
                break
        except socket.timeout:
            pass
        if time.monotonic() - start > IDLE * 4:
            break
except (BrokenPipeError, ConnectionResetError):
    pass
sock.close()
check(status == 408, f"a body dribbled in gets 408 after about the idle timeout: {status} after {time.monotonic() - start:.1f} s")

# --- Connections: past the cap, a new connection waits until one closes.
idle = [connect() for _ in range(MAXCONN)]
time.sleep(0.3)
waiting = connect()
start = time.monotonic()
waiting.sendall(request_head("GET", "/api/support/tickets"))
waiting.settimeout(IDLE / 2)
try:
    early = waiting.recv(1, socket.MSG_PEEK)
except socket.timeout:
    early = b""
check(early == b"", f"with {MAXCONN} connections open, another is not served at once")
idle[0].close()
waiting.settimeout(30)
status, _ = read_response(waiting)
waited = time.monotonic() - start
check(status == 200, f"it is served once a connection closes: {status} after {waited:.1f} s")
for sock in idle[1:] + [waiting]:
    sock.close()

check(total_tickets() == before, "nothing was created by the refused requests")

# --- SIGTERM with a request in flight: it is answered, then the server exits (checked by the test).
body = json.dumps({"subject": "In flight at SIGTERM", "message": "finished after the signal", "category": "bug-report"}).encode()
sock = connect()
sock.sendall(request_head("POST", "/api/support/tickets", length=len(body)) + body[:10])
time.sleep(0.3)
os.kill(PID, signal.SIGTERM)
time.sleep(0.5)
sock.sendall(body[10:])
sock.settimeout(30)
status, payload = read_response(sock)
sock.close()
check(status == 201 and b"In flight at SIGTERM" in payload, f"the request in flight at SIGTERM is answered: {status} {payload[:200]}")
try:
    socket.create_connection((HOST, PORT), timeout=5).close()
    refused = False
except OSError:
    refused = True
time.sleep(1)
try:
    socket.create_connection((HOST, PORT), timeout=5).close()
    refused = False
except OSError:
    refused = True
check(refused, "after SIGTERM, new connections are refused")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
