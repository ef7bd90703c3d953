# Sourced by server.sh and server_pair.sh: readies the desk $db for a load run with $bin's
# `support` (an admin and a token for wrk, mail to a sink under $work) and sets `token` and
# `number` (an open ticket to read).
"$bin/support" --db "$db" user add bench-admin@example.com --role admin >/dev/null 2>&1 || true
"$bin/support" --db "$db" settings set support_email desk@example.com >/dev/null
"$bin/support" --db "$db" settings set sendmail_command "$root/Tests/mail/fake_sendmail.sh --out $work/sink" >/dev/null
mkdir -p "$work/sink"
token=$("$bin/support" --db "$db" token issue bench-admin@example.com --expires 2h)
number=$("$bin/support" --db "$db" ticket list --status open --limit 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["tickets"][0]["ticketNumber"])')
