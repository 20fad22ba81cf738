#!/usr/bin/env bash
# sandbox.1 from the command definitions: swift-argument-parser's generate-manual tool (the tool behind
# `swift package plugin generate-manual`) run on BINARY. Dated by the last commit, so rebuilds are identical.
# Usage: manpage.sh BINARY OUTDIR [GENERATE_MANUAL_TOOL]
set -euo pipefail
binary="$1" outdir="$2" tool="${3:-}"
cd "$(dirname "$0")/../.."
if [ -z "$tool" ]; then
  "${SWIFT:-swift}" build --product generate-manual >/dev/null
  tool="$("${SWIFT:-swift}" build --show-bin-path)/generate-manual"
fi
date="$(git log -1 --format=%cs 2>/dev/null || date -u +%F)"
mkdir -p "$outdir"
"$tool" "$binary" --date "$date" --section 1 --output-directory "$outdir"
test -s "$outdir/sandbox.1" || { echo "manpage: $tool wrote no sandbox.1 in $outdir" >&2; exit 1; }
