#!/usr/bin/env python3
"""Tokens of an external identity provider against `support serve --jwt-public-key` (run by
ServerAPITests, once with an RSA key and once with a P-256 key).

Usage: provider_e2e.py BASE_URL SUPPORT_BINARY DB_PATH PRIVATE_PEM PUBLIC_PEM OTHER_PRIVATE_PEM ALG EMAIL_CLAIM

The provider is configured with issuer https://idp.example.com and audience support-desk. The
tokens are signed here with `openssl dgst` (no JWT library needed): PRIVATE_PEM is the provider's
key, OTHER_PRIVATE_PEM a key of the same type the server does not know. Users admin@example.com
(admin), agent@example.com (internal), alice@example.com (user) and carol@example.com (user, no
tickets) must exist. Prints one line per failed check and exits 1 if any failed.
"""
import base64
import hashlib
import hmac
import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

BASE, SUPPORT, DB, PRIVATE, PUBLIC, OTHER, ALG, EMAIL_CLAIM = sys.argv[1:9]
ISSUER, AUDIENCE = "https://idp.example.com", "support-desk"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def der_to_raw(der):
    """openssl's ECDSA signature (DER SEQUENCE of two INTEGERs) as JWS wants it: r || s, 32 bytes each."""
    assert der[0] == 0x30
    index = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)
    numbers = []
    for _ in range(2):
        assert der[index] == 0x02
        length = der[index + 1]
        value = der[index + 2: index + 2 + length]
        numbers.append(value.lstrip(b"\x00").rjust(32, b"\x00"))
        index += 2 + length
    return numbers[0] + numbers[1]


def openssl_sign(key, data):
    done = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=data, capture_output=True, check=True)
    return der_to_raw(done.stdout) if ALG == "ES256" else done.stdout


def token(claims, alg=None, key=PRIVATE, hmac_secret=None, signature=None, header_extra=None):
    header = {"alg": alg or ALG, "typ": "JWT", "kid": "idp-key-1"}
    header.update(header_extra or {})
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}".encode()
    if signature is None:
        if hmac_secret is not None:
            signature = hmac.new(hmac_secret, signing_input, hashlib.sha256).digest()
        else:
            signature = openssl_sign(key, signing_input)
    return signing_input.decode() + "." + (signature if isinstance(signature, str) else b64(signature))


def claims(email, **changes):
    now = int(time.time())
    base = {EMAIL_CLAIM: email, "sub": "idp-user-" + email.split("@")[0], "iss": ISSUER, "aud": AUDIENCE,
            "iat": now, "exp": now + 600, "nbf": now - 5}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def call(method, path, bearer, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + bearer)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        payload = error.read()
        return error.code, json.loads(payload) if payload else None


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


public_pem = open(PUBLIC, "rb").read()

# --- Good tokens: the provider's email claim names the person, the role is the database's.
status, body = call("GET", "/api/admin/support/settings", token(claims("admin@example.com")))
check(status == 200, f"{ALG}: a good provider token for the admin reads settings: {status} {body}")
status, body = call("GET", "/api/admin/support/settings", token(claims("alice@example.com", aud=["other-app", AUDIENCE])))
check(status == 403, f"{ALG}: a good token for a requester is a requester (403 on settings), aud as a list: {status}")
status, body = call("POST", "/api/support/tickets", token(claims("ALICE@example.com")),
                    {"subject": "From the web app", "message": "Signed in through the provider", "category": "general-inquiry"})
check(status == 201 and body["ticket"]["submittedBy"]["email"] == "alice@example.com",
      f"{ALG}: the email claim is matched case-insensitively and acts as alice: {status} {body}")
check(call("GET", "/api/support/stats", token(claims("agent@example.com")))[0] == 200, f"{ALG}: staff token reads stats")

# --- Attacks: every one a 401.
now = int(time.time())
attacks = {
    "alg none": token(claims("admin@example.com"), alg="none", signature=""),
    "alg none with a signature": token(claims("admin@example.com"), alg="none"),
    "HS256 with the public key as the secret (HS/RS confusion)": token(claims("admin@example.com"), alg="HS256", hmac_secret=public_pem),
    "HS256 with the public key's base64 body as the secret":
        token(claims("admin@example.com"), alg="HS256",
              hmac_secret=b"".join(line for line in public_pem.splitlines() if not line.startswith(b"-----"))),
    "the other algorithm's name": token(claims("admin@example.com"), alg="ES256" if ALG == "RS256" else "RS256"),
    "a 384-bit variant": token(claims("admin@example.com"), alg="RS384" if ALG == "RS256" else "ES384"),
    "signed by another key": token(claims("admin@example.com"), key=OTHER),
    "expired": token(claims("admin@example.com", iat=now - 7200, exp=now - 60)),
    "future nbf": token(claims("admin@example.com", nbf=now + 3600)),
    "no exp": token(claims("admin@example.com", exp=None)),
    "wrong audience": token(claims("admin@example.com", aud="someone-else")),
    "no audience": token(claims("admin@example.com", aud=None)),
    "wrong issuer": token(claims("admin@example.com", iss="https://evil.example.com")),
    "no issuer": token(claims("admin@example.com", iss=None)),
    "no email claim": token({k: v for k, v in claims("admin@example.com").items() if k != EMAIL_CLAIM}),
    "email claim not an address": token(claims("admin")),
    "unknown user": token(claims("nobody@example.com")),
    "critical header": token(claims("admin@example.com"), header_extra={"crit": ["exp"]}),
}
good = token(claims("alice@example.com"))
head, payload, signature = good.split(".")
forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
forged[EMAIL_CLAIM] = "admin@example.com"
attacks["tampered payload (alice -> admin)"] = f"{head}.{b64(json.dumps(forged).encode())}.{signature}"
attacks["signature of another token"] = f"{head}.{token(claims('admin@example.com')).split('.')[1]}.{signature}"
for name, bad in attacks.items():
    status, body = call("GET", "/api/admin/support/settings", bad)
    check(status == 401 and isinstance(body, dict) and body.get("code") == "UNAUTHORIZED", f"{ALG}: {name} -> 401: {status} {body}")

# --- The role and the person come from the database on every request, not from the token.
agent_token = token(claims("agent@example.com"))
cli("user", "update", "agent@example.com", "--role", "user")
status, _ = call("GET", "/api/support/stats", agent_token)
check(status == 403, f"{ALG}: a demoted agent's provider token has the new role: {status}")
cli("user", "update", "agent@example.com", "--role", "internal")
status, _ = call("GET", "/api/support/stats", agent_token)
check(status == 200, f"{ALG}: promoted back, the same token works again: {status}")

carol_token = token(claims("carol@example.com"))
check(call("GET", "/api/support/tickets", carol_token)[0] == 200, f"{ALG}: carol's token works before she is removed")
# There is no `user delete` command: a person removed from the desk (here the row itself, as an
# admin with sqlite3 or psql would) must lose access at once.
desk_sql("DELETE FROM " + ("desk_user" if DB.startswith("postgresql://") else "user") + " WHERE email = 'carol@example.com'")
status, body = call("GET", "/api/support/tickets", carol_token)
check(status == 401, f"{ALG}: a token for a deleted user -> 401: {status} {body}")

# --- The desk's own HS256 tokens keep working beside the provider's.
desk = cli("token", "issue", "admin@example.com", "--expires", "1h").strip()
check(call("GET", "/api/admin/support/settings", desk)[0] == 200, f"{ALG}: desk tokens still work beside the provider's")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
