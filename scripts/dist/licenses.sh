#!/usr/bin/env bash
# THIRD_PARTY_LICENSES.md for what the static binary bundles: every package in the resolved dependency
# graph (read from SwiftPM, so a package added to Package.swift shows up without editing this script)
# and the statically linked Swift runtime (stdlib, Foundation, ICU data, Dispatch).
# Usage: licenses.sh SCRATCH_PATH
set -euo pipefail
scratch="$1"
cd "$(dirname "$0")/../.."
echo "# Third-party licenses"
echo
echo "The sandbox binary links these statically. System libraries it loads at run time (see the package's"
echo "Depends:) are not bundled and keep their own licenses."
packages="$("${SWIFT:-swift}" package --scratch-path "$scratch" show-dependencies --format json 2>/dev/null | python3 -c '
import json, sys
seen = {}
def walk(node):
    for dep in node.get("dependencies", []):
        seen[dep["identity"]] = (dep["name"], dep.get("version", ""), dep["path"], dep.get("url", ""))
        walk(dep)
walk(json.load(sys.stdin))
for identity in sorted(seen):
    print("\t".join(seen[identity]))
')"
[ -n "$packages" ] || { echo "licenses: swift package show-dependencies listed nothing" >&2; exit 1; }
while IFS=$'\t' read -r name version path url; do
  echo
  echo "## $name $version"
  echo
  echo "$url"
  found=0
  for file in LICENSE LICENSE.txt LICENSE.md COPYING NOTICE NOTICE.txt; do
    if [ -f "$path/$file" ]; then
      found=1
      printf '\n### %s\n\n```\n' "$file"; cat "$path/$file"; printf '```\n'
    fi
  done
  [ "$found" = 1 ] || { echo "licenses: no license file in $path ($name)" >&2; exit 1; }
done <<<"$packages"
runtime="$(dirname "$(dirname "$(command -v "${SWIFT:-swift}")")")/share/swift/LICENSE.txt"
echo
echo "## Swift runtime (stdlib, Foundation, swift-foundation-icu, Dispatch), $("${SWIFT:-swift}" --version 2>/dev/null | head -n 1)"
echo
echo "Apache License 2.0 with Runtime Library Exception; ICU data under the Unicode license (https://github.com/swiftlang/swift-foundation-icu)."
if [ -f "$runtime" ]; then printf '\n```\n'; cat "$runtime"; printf '```\n'; fi
