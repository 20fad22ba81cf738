#!/usr/bin/env bash
# Creates, once, a minimal Debian bookworm root (debootstrap --variant=minbase) and prints its path.
# Cached under .build/dist-test/ (ROOTFS to change); a half-made root is rebuilt, not reused.
# The mirror is the one this machine's apt already uses for bookworm (MIRROR to override).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOTFS="${ROOTFS:-.build/dist-test/bookworm}"
SUITE=bookworm

mirror() {
  if [ -n "${MIRROR:-}" ]; then echo "$MIRROR"; return; fi
  local uri
  # deb822 sources: the URIs of the stanza whose Suites include bookworm (not bookworm-security).
  uri="$(awk 'BEGIN{RS=""} /Suites:[^\n]*(^|[ \t])bookworm([ \t\n]|$)/ && /Types:[^\n]*deb([ \t\n]|$)/ {
           if (match($0, /URIs:[ \t]*[^ \t\n]+/)) { s=substr($0,RSTART,RLENGTH); sub(/URIs:[ \t]*/,"",s); print s; exit } }' \
           /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  if [ -z "$uri" ]; then
    # One-line sources: deb [options] URI bookworm main
    uri="$(grep -hE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
           | sed -E 's/\[[^]]*\]//' | awk '$3=="bookworm"{print $2; exit}' || true)"
  fi
  if [ -z "$uri" ]; then
    echo "rootfs: no bookworm mirror in /etc/apt/sources*; set MIRROR=http://.../debian" >&2; exit 3
  fi
  echo "$uri"
}

if [ -f "$ROOTFS/.complete" ]; then echo "$ROOTFS"; exit 0; fi
command -v debootstrap >/dev/null || { echo "rootfs: debootstrap is missing; apt-get install -y debootstrap" >&2; exit 3; }
url="$(mirror)"
rm -rf "$ROOTFS"
mkdir -p "$(dirname "$ROOTFS")"
echo "rootfs: debootstrap --variant=minbase $SUITE from $url into $ROOTFS" >&2
debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$url" >"$ROOTFS.log" 2>&1 \
  || { echo "rootfs: debootstrap failed; see $ROOTFS.log" >&2; tail -n 5 "$ROOTFS.log" >&2; exit 4; }
# apt inside the root reads the same mirror for the .deb's dependencies.
printf 'deb %s %s main\n' "$url" "$SUITE" > "$ROOTFS/etc/apt/sources.list"
touch "$ROOTFS/.complete"
echo "$ROOTFS"
