#!/usr/bin/env bash
# The Depends: line for BINARY inside package root ROOT, derived from the binary, never listed by hand:
# its NEEDED libraries (objdump -p), the package owning each (dpkg -S), and the minimum versions
# dpkg-shlibdeps reads from those packages' symbols/shlibs files. The two package sets must agree.
# Usage: depends.sh ROOT RELATIVE_BINARY
set -euo pipefail
root="$1" rel="$2"
declare -A owners=()
while read -r lib; do
  path="$(ldconfig -p | awk -v l="$lib" '$1==l && /x86-64|AArch64|aarch64/ {print $NF; exit}')"
  [ -n "$path" ] || path="$(ldconfig -p | awk -v l="$lib" '$1==l {print $NF; exit}')"
  [ -n "$path" ] || { echo "depends: $lib (NEEDED by $rel) is not installed here" >&2; exit 1; }
  real="$(readlink -f "$path")"
  pkg="$(dpkg -S "$path" 2>/dev/null || dpkg -S "$real" 2>/dev/null || dpkg -S "/usr$real" 2>/dev/null || true)"
  pkg="${pkg%%:*}"
  [ -n "$pkg" ] || { echo "depends: no package owns $path ($lib)" >&2; exit 1; }
  echo "depends: $lib -> $path -> $pkg" >&2
  owners["$pkg"]=1
done < <(objdump -p "$root/$rel" | awk '$1=="NEEDED" {print $2}')
# dpkg-shlibdeps wants a source package's debian/control next to the root; a throwaway one.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debian"
printf 'Source: sandbox\n\nPackage: sandbox\nArchitecture: any\n' > "$work/debian/control"
abs="$(cd "$root" && pwd)"
line="$(cd "$work" && dpkg-shlibdeps -O --ignore-missing-info "$abs/$rel" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
[ -n "$line" ] || { echo "depends: dpkg-shlibdeps printed no Depends for $rel" >&2; exit 1; }
names="$(printf '%s\n' "$line" | tr ',' '\n' | sed -E 's/^ *//; s/ .*//' | sort -u)"
owned="$(printf '%s\n' "${!owners[@]}" | sort -u)"
[ "$names" = "$owned" ] || { echo "depends: dpkg-shlibdeps ($names) and dpkg -S ($owned) disagree" >&2; exit 1; }
echo "$line"
