#!/usr/bin/env python3
"""Check one message written by `MessageComposer` (or received after a sendmail relay).

    python3 Tests/mail/check_message.py FILE.eml --subject S --body-file B --from-name N
        [--to-name N ...] [--reply-to-name N] [--message-id ID] [--from-email E] [--to-email E ...]

Every text option has a `-file` twin (`--subject-file`, `--from-name-file`, `--to-name-file`,
`--reply-to-name-file`) that reads UTF-8 from a file, for text that argv cannot carry (NUL).
Give the text as it went INTO the composer; the expected decoded value follows the composer's
documented rules:
  - subject: every Unicode control character (category Cc: CR, LF, NUL, TAB, ...) and
    U+2028/U+2029 becomes a space, nothing else changes;
  - display names: the same, then runs of spaces made one and the ends trimmed (whitespace in
    a phrase is not significant, RFC 5322 3.2.2);
  - body: CRLF and CR made LF, plus a final LF when the text is non-empty and lacks one.
A message with CRLF line endings throughout (as an SMTP server stores it) is read as LF.

Checks: only the composer's headers, each at most once and the required ones present; every
header line starts with one of those names or with whitespace; no line over 998 octets; 7-bit
bytes, no NUL, no bare CR; no body line that is "." alone or starts with "From "; Python's
`email` parser (policy.default) finds no defect; subject, body and display names decode back
exactly; each encoded-word is at most 75 characters and decodes alone (no character split
across two words). Display names are read as RFC 2047 6.2 says (whitespace between two adjacent
encoded-words is ignored), over Python's own parse: before the fix of CPython gh-128110
(this machine's 3.11 has the bug) policy.default keeps that whitespace in address headers and
shows a doubled space where a long name was split into several encoded-words; a note on
stderr says when that happens.

Exit status: 0 all good, 1 a check failed (each failure on stderr), 2 bad usage.
"""

import argparse
import base64
import email
import email.policy
import quopri
import re
import sys
from email import _header_value_parser as hvp

ALLOWED = {
    "date", "from", "to", "reply-to", "subject", "message-id", "in-reply-to", "references",
    "mime-version", "content-type", "content-transfer-encoding", "auto-submitted", "x-loop",
}
REQUIRED = {
    "date", "from", "to", "subject", "message-id", "mime-version", "content-type",
    "content-transfer-encoding",
}
MAX_LINE = 998
ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=")
DATE_FORMAT = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}")
FOLD_LINE = 78


def header_text(text):
    """The composer's rule for header text: control and line/paragraph separators -> space."""
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or 0x7F <= code <= 0x9F or ch in "\u2028\u2029":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def phrase_text(text):
    return " ".join(word for word in header_text(text).split(" ") if word)


def body_text(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    return text


def rfc2047_display_name(mailbox):
    """The display name of a parsed mailbox, dropping whitespace between adjacent encoded-words."""
    name_addr = next((t for t in mailbox if t.token_type == "name-addr"), None)
    if name_addr is None:
        return mailbox.display_name or ""
    display = next((t for t in name_addr if t.token_type == "display-name"), None)
    if display is None:
        return ""
    tokens = list(display)
    fixed = []
    for i, tok in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if (tok.token_type == "atom" and len(tok) >= 2 and tok[-1].token_type == "cfws"
                and tok[-2].token_type == "encoded-word" and following is not None
                and following.token_type == "atom" and len(following) > 0
                and following[0].token_type == "encoded-word"):
            tok = hvp.Atom(list(tok[:-1]) + [hvp.EWWhiteSpaceTerminal(str(tok[-1]), "fws")])
        fixed.append(tok)
    return hvp.DisplayName(fixed).display_name or ""


def mailboxes(header):
    tree = header._parse_tree  # the parse tree keeps the encoded-word structure
    found = []

    def walk(token):
        if getattr(token, "token_type", None) == "mailbox":
            found.append(token)
            return
        if isinstance(token, list):
            for child in token:
                walk(child)

    walk(tree)
    return found


def read_text(value, path):
    if path is None:
        return value
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"check_message.py: cannot read {path}: {error}", file=sys.stderr)
        sys.exit(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--subject")
    ap.add_argument("--subject-file")
    ap.add_argument("--body-file")
    ap.add_argument("--from-name")
    ap.add_argument("--from-name-file")
    ap.add_argument("--from-email")
    ap.add_argument("--to-name", action="append")
    ap.add_argument("--to-name-file", action="append")
    ap.add_argument("--to-email", action="append")
    ap.add_argument("--reply-to-name")
    ap.add_argument("--reply-to-name-file")
    ap.add_argument("--message-id")
    args = ap.parse_args()
    if args.to_name and args.to_name_file:
        ap.error("give --to-name or --to-name-file, not both")

    failures = []

    def fail(message):
        failures.append(message)

    try:
        with open(args.file, "rb") as f:
            raw = f.read()
    except OSError as error:
        ap.error(f"cannot read the message: {error}")

    # Raw bytes: 7-bit, no NUL, LF or CRLF line endings only, no line over 998 octets.
    if any(b >= 0x80 for b in raw):
        fail("message has 8-bit bytes")
    if b"\x00" in raw:
        fail("message has a NUL byte")
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    else:
        fail("message does not end with a newline")
    crlf = bool(lines) and all(line.endswith(b"\r") for line in lines)
    lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    for number, line in enumerate(lines, 1):
        if b"\r" in line:
            fail(f"line {number} has a bare CR")
        if len(line) > MAX_LINE:
            fail(f"line {number} is {len(line)} octets long (limit {MAX_LINE})")

    # Header section: known names or continuation lines only, each header at most once.
    try:
        blank = lines.index(b"")
    except ValueError:
        fail("no empty line between header and body")
        blank = len(lines)
    seen = {}
    raw_values = {}  # unfolded, as written
    key = None
    long_header_lines = 0
    for number, line in enumerate(lines[:blank], 1):
        if len(line) > FOLD_LINE:
            long_header_lines += 1
        if line[:1] in (b" ", b"\t"):
            if number == 1:
                fail("the first line is a continuation line")
            elif key is not None:
                raw_values[key] += line.decode("ascii", "replace")
            continue
        name, colon, value = line.partition(b":")
        key = name.decode("ascii", "replace").lower()
        if not colon or key not in ALLOWED:
            fail(f"header line {number} is not an expected header: {line[:80]!r}")
            key = None
            continue
        seen[key] = seen.get(key, 0) + 1
        raw_values[key] = value.decode("ascii", "replace").strip(" ")
    for key, count in seen.items():
        if count > 1:
            fail(f"header {key} appears {count} times")
    for key in sorted(REQUIRED - seen.keys()):
        fail(f"header {key} is missing")
    for number, line in enumerate(lines[blank + 1:], blank + 2):
        if line == b".":
            fail(f"body line {number} is a lone '.'")
        if line.startswith(b"From "):
            fail(f"body line {number} starts with 'From '")

    # Every encoded-word within RFC 2047's 75 characters and valid UTF-8 on its own.
    for key, value in raw_values.items():
        for word in ENCODED_WORD.finditer(value):
            if len(word.group(0)) > 75:
                fail(f"{key}: encoded-word of {len(word.group(0))} characters: {word.group(0)[:40]}...")
            charset, encoding, payload = word.group(1), word.group(2).upper(), word.group(3)
            try:
                if encoding == "B":
                    data = base64.b64decode(payload, validate=True)
                else:
                    data = quopri.decodestring(payload.encode("ascii"), header=True)
                data.decode(charset, "strict")
            except (ValueError, LookupError) as error:
                fail(f"{key}: encoded-word {word.group(0)!r} does not decode alone: {error}")

    # What Python's parser makes of it.
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for defect in msg.defects:
        fail(f"message defect: {defect!r}")
    for key in msg.keys():
        if key.lower() not in ALLOWED:
            fail(f"unexpected header {key!r}")
        for value in msg.get_all(key) or []:
            for defect in getattr(value, "defects", ()):
                fail(f"{key} header defect: {defect!r}")
    date = raw_values.get("date")
    if date is not None:
        parsed = getattr(msg["date"], "datetime", None)
        if not DATE_FORMAT.fullmatch(date) or parsed is None:
            fail(f"Date is not in RFC 5322 form 'Thu, 26 Nov 2026 16:04:17 +0000': {date!r}")
        elif parsed.strftime("%a") != date[:3]:
            fail(f"Date names the wrong weekday: {date!r}")

    subject = read_text(args.subject, args.subject_file)
    if subject is not None:
        want = header_text(subject)
        got = str(msg["subject"]) if msg["subject"] is not None else None
        if got != want:
            fail(f"subject decodes to {got!r}, expected {want!r}")

    def check_names(header_name, wanted_names, wanted_emails):
        header = msg[header_name]
        if header is None:
            if wanted_names is not None or wanted_emails is not None:
                fail(f"{header_name} header missing")
            return
        boxes = mailboxes(header)
        if wanted_names is not None:
            want = [phrase_text(n) for n in wanted_names]
            got = [rfc2047_display_name(b) for b in boxes]
            if got != want:
                fail(f"{header_name} display names decode to {got!r}, expected {want!r}")
            python_got = [a.display_name for a in header.addresses]
            if python_got != got:
                print(f"note: {header_name}: this Python's policy.default reads {python_got!r} "
                      f"(CPython gh-128110: whitespace between encoded-words kept)", file=sys.stderr)
        if wanted_emails is not None:
            got = [a.addr_spec for a in header.addresses]
            if got != wanted_emails:
                fail(f"{header_name} addresses are {got!r}, expected {wanted_emails!r}")

    from_name = read_text(args.from_name, args.from_name_file)
    check_names("from", None if from_name is None else [from_name],
                None if args.from_email is None else [args.from_email])
    to_names = args.to_name
    if args.to_name_file:
        to_names = [read_text(None, p) for p in args.to_name_file]
    check_names("to", to_names, args.to_email)
    reply_name = read_text(args.reply_to_name, args.reply_to_name_file)
    if reply_name is not None:
        check_names("reply-to", [reply_name], None)

    if args.message_id is not None and raw_values.get("message-id") != f"<{args.message_id}>":
        fail(f"Message-ID is {raw_values.get('message-id')!r}, expected <{args.message_id}>")

    if msg.get_content_type() != "text/plain" or msg.get_content_charset() != "utf-8":
        fail(f"content type is {msg.get_content_type()} charset {msg.get_content_charset()}")
    if args.body_file is not None:
        want = body_text(read_text(None, args.body_file))
        got = msg.get_content()
        if crlf:
            # Relayed by SMTP: the line breaks are CRLF, so the decoded ones are too.
            got = got.replace("\r\n", "\n")
        if got != want:
            at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            fail(f"body differs at character {at}: got {got[at:at + 40]!r}, expected {want[at:at + 40]!r} "
                 f"(lengths {len(got)} and {len(want)})")

    if failures:
        for message in failures:
            print(f"FAIL {args.file}: {message}", file=sys.stderr)
        return 1
    extra = f", {long_header_lines} header line(s) over {FOLD_LINE}" if long_header_lines else ""
    print(f"ok {args.file}{extra}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
