#!/usr/bin/env python3
"""Finishes the man page swift-argument-parser writes (scripts/generate-docs.sh runs this).

The plugin repeats the global options, --version and --help under every one of the ~40
commands, knows no ENVIRONMENT, FILES, EXAMPLES or SECURITY CONSIDERATIONS section, and its
EXIT STATUS is the generic `.Ex -std`. This lists those options once, in the top-level list,
and puts the sections of docs/man/sections.mdoc in place of that EXIT STATUS.

    man-sections.py GENERATED SECTIONS > docs/support.1
"""
import re
import sys

GLOBAL = ["db", "as", "json", "verbose", "color"]
EVERYWHERE = ["version", "help"]


def option_name(line: str) -> str | None:
    """`.It Fl -db Ar path` -> "db"; `.It Fl h , -help` -> "help"."""
    match = re.match(r"^\.It Fl (?:h , )?-([\w-]+)", line)
    return match.group(1) if match else None


def main() -> None:
    generated, sections = sys.argv[1], sys.argv[2]
    lines = open(generated, encoding="utf-8").read().split("\n")
    extra = open(sections, encoding="utf-8").read().rstrip("\n")

    out: list[str] = []
    global_blocks: dict[str, list[str]] = {}
    top_list_start: int | None = None  # where the top-level list's entries begin in `out`
    in_commands = False  # past the top-level options, among the commands
    i = 0
    while i < len(lines):
        line = lines[i]
        name = option_name(line)
        if name in GLOBAL or name in EVERYWHERE:
            # An entry is its `.It` line and the text lines up to the next macro.
            end = i + 1
            while end < len(lines) and not lines[end].startswith("."):
                end += 1
            if name in GLOBAL:
                global_blocks.setdefault(name, lines[i:end])
            elif not in_commands:
                out.extend(lines[i:end])
            i = end
            continue
        if line.startswith(".Bl") and top_list_start is None:
            top_list_start = len(out) + 1
        if line.startswith(".It Em"):
            in_commands = True
        out.append(line)
        i += 1

    if top_list_start is None:
        sys.exit("man-sections.py: no option list in the generated page")
    block = [text for name in GLOBAL for text in global_blocks.get(name, [])]
    out[top_list_start:top_list_start] = block

    page = "\n".join(out)
    old = '.Sh "EXIT STATUS"\n.Ex -std\n'
    if old not in page:
        sys.exit("man-sections.py: the generated page has no '.Ex -std' EXIT STATUS to replace")
    sys.stdout.write(page.replace(old, extra + "\n"))


if __name__ == "__main__":
    main()
