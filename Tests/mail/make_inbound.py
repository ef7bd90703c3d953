#!/usr/bin/env python3
"""Writes incoming-mail fixtures built with Python's `email` package, and what Python reads
back from each, for the Swift parser of incoming mail to be checked against.

usage: make_inbound.py DIR   ->  DIR/N.eml and DIR/expected.json
"""
import email
import email.policy
import base64
import hashlib
import json
import sys
from email.headerregistry import Address
from email.message import EmailMessage

out = sys.argv[1]
policy = email.policy.SMTP  # CRLF line ends, as on the wire

cases = [
    ("utf-8", "Grüße aus Köln – 10 €", "Jürgen Müller", "Hallo,\nder Drucker brennt. 🔥\nGruß\n"),
    ("iso-8859-1", "Café au lait", "André Pirard", "Ça va très bien.\nÀ bientôt\n"),
    ("iso-8859-2", "Zażółć gęślą jaźń", "Łukasz Żak", "Dzień dobry,\nzażółć gęślą jaźń.\n"),
    ("iso-8859-15", "Prix: 5 €", "Éloïse Œuvre", "Le prix est 5 € pour l'œuvre.\n"),
    ("windows-1250", "Příliš žluťoučký kůň", "Jiří Čapek", "Příliš žluťoučký kůň úpěl ďábelské ódy.\n"),
    ("windows-1251", "Привет из Москвы", "Иван Петров", "Здравствуйте!\nПринтер не работает.\n"),
    ("windows-1252", "“Smart” quotes – and dashes", "Zoë O’Neil", "It’s “broken” – again…\n"),
    ("koi8-r", "Проблема с почтой", "Ольга", "Письмо не доходит.\n"),
    ("iso-2022-jp", "プリンターの故障", "山田太郎", "こんにちは。\nプリンターが壊れました。\n"),
    ("iso-8859-7", "Καλημέρα", "Νίκος", "Ο εκτυπωτής δεν λειτουργεί.\n"),
    ("utf-8", "a" * 30 + " long subject that Python folds over several lines " + "ö" * 40, "Anne-Marie \"AM\" O'Brien, Jr.",
     "x" * 200 + "\nlong line above\n"),
]

expected = []
for number, (charset, subject, name, body) in enumerate(cases):
    message = EmailMessage(policy=policy)
    message["From"] = Address(display_name=name, addr_spec=f"user{number}@cust.example")
    message["To"] = "help@desk.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<case{number}@cust.example>"
    message.set_content(body, charset=charset)
    attachments = []
    if number % 2 == 0:
        data = bytes(range(256)) * (number + 1)
        file_name = f"Bericht {name} №{number}.pdf"
        message.add_attachment(data, maintype="application", subtype="pdf", filename=file_name)
        attachments.append({"fileName": file_name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    raw = message.as_bytes()
    with open(f"{out}/{number}.eml", "wb") as f:
        f.write(raw)
    # What Python itself reads back from those bytes.
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    from_header = parsed["From"]
    expected.append({
        "file": f"{number}.eml",
        "subject": str(parsed["Subject"]),
        "fromName": from_header.addresses[0].display_name,
        "fromEmail": from_header.addresses[0].addr_spec,
        "messageID": parsed["Message-ID"].strip("<>"),
        "text": parsed.get_body(preferencelist=("plain",)).get_content(),
        "attachments": [
            {"fileName": part.get_filename(), "sha256": hashlib.sha256(part.get_content()).hexdigest(),
             "size": len(part.get_content()), "base64": base64.b64encode(part.get_content()).decode()}
            for part in parsed.iter_attachments()
        ],
    })
    assert [{k: a[k] for k in ("fileName", "sha256", "size")} for a in expected[-1]["attachments"]] == attachments

with open(f"{out}/expected.json", "w") as f:
    json.dump(expected, f, ensure_ascii=False, indent=1)
