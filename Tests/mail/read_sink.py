#!/usr/bin/env python3
"""Print, as JSON, what arrived in one or more message directories, parsed by Python's `email`.

    python3 Tests/mail/read_sink.py [--brief] DIR [DIR ...]

A directory holds what `smtp_sink.py` saved (NNNNNN.eml + NNNNNN.json envelope) or what
`fake_sendmail.sh` saved (NAME.eml + NAME.args, the program's arguments one a line). Files still
being written (`.part`, or an .eml without its envelope file) are skipped.

Output: {"messages": [...]} in file-name order (within each directory), each message:
  file, mail_from, rcpt_tos            the envelope (from the .json, or -f / after -- in .args)
  sha256                               of the raw bytes with CRLF made LF
  message_id, in_reply_to, references  as written (angle brackets included), or null
  and unless --brief:
  header_names      every header field name in order, as written (continuation lines excluded)
  header_count      {lower-case name: how often it appears}
  subject           decoded (policy.default)
  body              decoded text/plain content, CRLF made LF
  from, to, reply_to  [{"name": display name, "email": addr-spec}], names read as RFC 2047 6.2
                    says (whitespace between adjacent encoded-words dropped; CPython gh-128110
                    keeps it), see check_message.py
  auto_submitted, content_type, charset, transfer_encoding
  defects           message and header defects found by the parser (strings)
  max_line          the longest line, in octets, without its line ending
  eight_bit, nul, bare_cr   whether the raw bytes hold any byte >= 0x80, a NUL, a CR not before LF
"""

import email
import email.policy
import hashlib
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_message  # noqa: E402  (the display-name reader that knows gh-128110)


def envelope(directory, stem):
    meta_path = os.path.join(directory, stem + ".json")
    args_path = os.path.join(directory, stem + ".args")
    if os.path.exists(meta_path):
        with open(meta_path, "rb") as f:
            meta = json.load(f)
        return meta.get("mail_from"), list(meta.get("rcpt_tos") or [])
    if os.path.exists(args_path):
        with open(args_path, "rb") as f:
            args = f.read().decode("utf-8", "replace").split("\n")
        if args and args[-1] == "":
            args.pop()
        sender = None
        if "-f" in args:
            i = args.index("-f")
            sender = args[i + 1] if i + 1 < len(args) else None
        rcpts = args[args.index("--") + 1:] if "--" in args else []
        return sender, rcpts
    return None


def addresses(msg, name):
    header = msg[name]
    if header is None:
        return None
    found = []
    for box in check_message.mailboxes(header):
        found.append({"name": check_message.rfc2047_display_name(box), "email": box.addr_spec})
    return found


def raw_header(lines, name):
    """The unfolded value of the first header `name`, as written (no decoding), or None."""
    value = None
    for line in lines:
        if line == b"":
            break
        if line[:1] in (b" ", b"\t"):
            if value is not None:
                value += line.decode("ascii", "replace")
            continue
        if value is not None:
            return value.strip()
        key, colon, rest = line.partition(b":")
        if colon and key.decode("ascii", "replace").lower() == name:
            value = rest.decode("ascii", "replace")
    return value.strip() if value is not None else None


def describe(directory, stem, brief):
    env = envelope(directory, stem)
    if env is None:
        return None
    with open(os.path.join(directory, stem + ".eml"), "rb") as f:
        raw = f.read()
    lf = raw.replace(b"\r\n", b"\n")
    lines = lf.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = {
        "file": os.path.join(directory, stem + ".eml"),
        "mail_from": env[0],
        "rcpt_tos": env[1],
        "sha256": hashlib.sha256(lf).hexdigest(),
        "message_id": raw_header(lines, "message-id"),
        "in_reply_to": raw_header(lines, "in-reply-to"),
        "references": raw_header(lines, "references"),
    }
    if brief:
        return out
    header_names = []
    for line in lines:
        if line == b"":
            break
        if line[:1] not in (b" ", b"\t"):
            header_names.append(line.partition(b":")[0].decode("ascii", "replace"))
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    defects = [repr(d) for d in msg.defects]
    for key in msg.keys():
        for value in msg.get_all(key) or []:
            defects += [f"{key}: {d!r}" for d in getattr(value, "defects", ())]
    counts = {}
    for name in header_names:
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    try:
        body = msg.get_content().replace("\r\n", "\n")
    except Exception as error:  # noqa: BLE001 - reported, not raised
        body = None
        defects.append(f"body: {error!r}")
    out.update({
        "header_names": header_names,
        "header_count": counts,
        "subject": str(msg["subject"]) if msg["subject"] is not None else None,
        "body": body,
        "from": addresses(msg, "from"),
        "to": addresses(msg, "to"),
        "reply_to": addresses(msg, "reply-to"),
        "auto_submitted": str(msg["auto-submitted"]) if msg["auto-submitted"] is not None else None,
        "content_type": msg.get_content_type(),
        "charset": msg.get_content_charset(),
        "transfer_encoding": str(msg["content-transfer-encoding"] or ""),
        "defects": defects,
        "max_line": max((len(line) for line in lines), default=0),
        "eight_bit": any(b >= 0x80 for b in raw),
        "nul": b"\x00" in raw,
        "bare_cr": re.search(rb"\r(?!\n)", raw) is not None,
    })
    return out


def main():
    args = sys.argv[1:]
    brief = False
    if args and args[0] == "--brief":
        brief = True
        args = args[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    messages = []
    for directory in args:
        if not os.path.isdir(directory):
            continue
        stems = sorted(name[:-4] for name in os.listdir(directory) if name.endswith(".eml"))
        for stem in stems:
            described = describe(directory, stem, brief)
            if described is not None:
                messages.append(described)
    json.dump({"messages": messages}, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
