#!/usr/bin/env python3
"""Print, as JSON, the attachments of every message in a directory the SMTP sink wrote to,
read with Python's `email` (policy.default): what a mail client would offer to save.

    python3 Tests/mail/read_attachments.py DIR

Output: {"messages": [{"file", "content_type", "body", "attachments": [{"filename",
"content_type", "size", "sha256", "transfer_encoding"}]}]}, in file-name order.
"""

import email
import email.policy
import hashlib
import json
import os
import sys

directory = sys.argv[1]
out = []
for name in sorted(os.listdir(directory)):
    if not name.endswith(".eml"):
        continue
    with open(os.path.join(directory, name), "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    attachments = []
    for part in msg.iter_attachments():
        data = part.get_content()
        if isinstance(data, str):
            data = data.encode("utf-8")
        attachments.append({
            "filename": part.get_filename(),
            "content_type": part.get_content_type(),
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
        })
    out.append({
        "file": name,
        "content_type": msg.get_content_type(),
        "body": body.get_content() if body is not None else None,
        "attachments": attachments,
        "defects": [type(d).__name__ for d in msg.defects],
    })
print(json.dumps({"messages": out}))
