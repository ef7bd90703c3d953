#!/bin/sh
# A stand-in for sendmail in the mail tests: fast, and able to misbehave on purpose.
#
#   fake_sendmail.sh [--out DIR] [--sleep SECONDS] [--exit STATUS] [--no-read] [--hang]
#                    [--stderr TEXT] [--pid-file FILE]  then what support passes: -f SENDER -- RCPT...
#
# Normally it reads the whole message from stdin into DIR/m.XXXXXXXX.part, sleeps if asked,
# writes its arguments one a line to DIR/m.XXXXXXXX.args and renames the message to
# .eml (so a message counts as delivered only once all of it was read), prints TEXT on stderr
# if given, and exits with STATUS (0 by default).
#   --no-read   exit at once (after --stderr) without reading stdin
#   --hang      write its pid and a child's pid to FILE (--pid-file), then wait on a long sleep
#               child: the caller must kill the process group
out="" delay="" status=0 read=yes hang=no text="" pidfile=""
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --sleep) delay=$2; shift 2 ;;
        --exit) status=$2; shift 2 ;;
        --no-read) read=no; shift ;;
        --hang) hang=yes; shift ;;
        --stderr) text=$2; shift 2 ;;
        --pid-file) pidfile=$2; shift 2 ;;
        *) break ;;
    esac
done
if [ "$hang" = yes ]; then
    sleep 300 &
    child=$!
    [ -n "$pidfile" ] && printf '%s %s\n' "$$" "$child" > "$pidfile"
    wait "$child"
    exit 0
fi
if [ "$read" = no ]; then
    [ -n "$text" ] && printf '%s\n' "$text" >&2
    exit "$status"
fi
file=$(mktemp "${out:-.}/m.XXXXXXXX") || exit 75
cat > "$file.part" || exit 74
[ -n "$delay" ] && sleep "$delay"
printf '%s\n' "$@" > "$file.args"
mv "$file.part" "$file.eml"
rm -f "$file"
[ -n "$text" ] && printf '%s\n' "$text" >&2
exit "$status"
