#!/usr/bin/env python3
"""HTTPS through nginx (docs/nginx/support.conf) to `support serve --trust-proxy` (run by ServerAPITests).

Usage: nginx_tls.py HTTPS_BASE CA_CERT ADMIN_TOKEN SERVER_BASE

Prints one line per failed check and exits 1 if any failed.
"""
import json
import ssl
import sys
import urllib.error
import urllib.request

HTTPS, CA, TOKEN, SERVER = sys.argv[1:5]
context = ssl.create_default_context(cafile=CA)
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)


def call(base, method, path, token=TOKEN, body=None, raw=None, headers=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=30, context=context if base.startswith("https") else None) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


status, _, body = call(HTTPS, "GET", "/api/support/tickets", headers={"X-Real-IP": "203.0.113.9"})
check(status == 200 and "pagination" in json.loads(body), f"GET through nginx over verified TLS: {status} {body[:200]}")
status, _, body = call(HTTPS, "POST", "/api/support/tickets",
                       body={"subject": "Through nginx", "message": "over TLS", "category": "general-inquiry"})
check(status == 201 and json.loads(body)["ticket"]["subject"] == "Through nginx", f"POST through nginx: {status} {body[:200]}")
status, headers, body = call(HTTPS, "GET", "/api/support/tickets", token="not.a.token")
check(status == 401 and "Bearer" in (headers.get("WWW-Authenticate") or ""), f"401 and WWW-Authenticate pass through: {status}")
status, _, _ = call(HTTPS, "POST", "/api/support/tickets", raw=b'{"subject":"' + b"a" * (2 * 1024 * 1024) + b'"}')
check(status == 413, f"nginx refuses a 2 MiB body: {status}")
plain = "http://" + HTTPS.split("//")[1]
try:
    status, _, _ = call(plain, "GET", "/api/support/tickets")
except Exception as error:  # a TLS port answering plain HTTP: nginx's 400, or a closed connection
    status = str(error)
check(status != 200, f"plain HTTP to the TLS port is not served: {status}")
try:
    urllib.request.urlopen(HTTPS + "/api/support/tickets", timeout=10, context=ssl.create_default_context())
    check(False, "a client that does not trust the certificate connects")
except (ssl.SSLError, urllib.error.URLError):
    pass
# Straight to the server from loopback (as nginx connects): X-Real-IP names the client.
status, _, _ = call(SERVER, "GET", "/api/support/tickets", headers={"X-Real-IP": "198.51.100.7"})
check(status == 200, f"direct GET with X-Real-IP: {status}")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
