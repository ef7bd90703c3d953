"""Writes the reply a mail client would send to a received message, for the mail-in tests.

    make_reply.py RECEIVED_FILE FROM_ADDRESS TEXT [SUBJECT] > reply.eml

Threading as Thunderbird and Gmail do it: `In-Reply-To` is the message's id, `References` its
references plus its id; the subject gets `Re: `; the original text follows, quoted with `> ` under
an "On DATE, NAME wrote:" line. Read and written with Python's `email` package.
"""
import email
import email.policy
import email.utils
import sys
from email.message import EmailMessage


def main():
    path, sender, text = sys.argv[1], sys.argv[2], sys.argv[3]
    # A subject of the replier's own (say, one without the ticket tag) leaves only the headers to thread by.
    subject_override = sys.argv[4] if len(sys.argv) > 4 else None
    with open(path, "rb") as f:
        original = email.message_from_bytes(f.read(), policy=email.policy.default)
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = original["Reply-To"] or original["From"]
    subject = str(original["Subject"])
    reply["Subject"] = subject_override or (subject if subject.lower().startswith("re:") else "Re: " + subject)
    reply["Date"] = email.utils.formatdate(localtime=False)
    reply["Message-ID"] = email.utils.make_msgid(domain="cust.example")
    reply["In-Reply-To"] = original["Message-ID"]
    references = (str(original["References"]) + " " if original["References"] else "") + str(original["Message-ID"])
    reply["References"] = references
    body = original.get_body(preferencelist=("plain",)).get_content()
    quoted = "\n".join("> " + line if line else ">" for line in body.splitlines())
    reply.set_content(f"{text}\n\nOn {original['Date']}, {original['From']} wrote:\n{quoted}\n")
    sys.stdout.buffer.write(reply.as_bytes())


if __name__ == "__main__":
    main()
