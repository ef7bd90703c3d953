#!/usr/bin/env bash
# Regenerates completions/ and docs/support.1 from the code (swift-argument-parser does the
# writing). CI runs this and fails if the committed files differ: never edit them by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product support >/dev/null
bin=.build/debug/support
"$bin" --generate-completion-script bash > completions/support.bash
"$bin" --generate-completion-script zsh > completions/_support
"$bin" --generate-completion-script fish > completions/support.fish
# A fixed date keeps the page byte-for-byte reproducible.
swift package plugin generate-manual --configuration debug --date 2026-11-26 \
    --authors "The support developers" >/dev/null
# The global options once, and the sections the plugin does not write (scripts/man-sections.py).
python3 scripts/man-sections.py .build/plugins/GenerateManual/outputs/support/support.1 docs/man/sections.mdoc > docs/support.1
echo "regenerated completions/ and docs/support.1"
