#!/usr/bin/env bash
# The action's install step: puts a sandbox binary on PATH for later steps (GITHUB_PATH) and names it in
# SANDBOX_BIN (GITHUB_ENV). One of, in this order:
#   SANDBOX_LOCAL_BINARY     an already-built binary (tests, self-hosted runners)
#   INPUT_BUILD_FROM_SOURCE  "true": swift build -c release of the action's own checkout (needs Swift 6)
#   INPUT_VERSION            a release: the tarball from GitHub releases, verified against its SHA256SUMS
# Also: INPUT_REPOSITORY (owner/name of the releases, default GITHUB_ACTION_REPOSITORY), ACTION_PATH (the
# action's checkout), RUNNER_TEMP. Exit: 0 installed, 2 bad inputs, 3 download or checksum failure.
set -euo pipefail
: "${GITHUB_ENV:?GITHUB_ENV is not set: run inside GitHub Actions or point it at a file}"
: "${GITHUB_PATH:?GITHUB_PATH is not set: run inside GitHub Actions or point it at a file}"
dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/sandbox-action/bin"
mkdir -p "$dest"
action_path="${ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}"

if [ -n "${SANDBOX_LOCAL_BINARY:-}" ]; then
  [ -x "$SANDBOX_LOCAL_BINARY" ] || { echo "::error::install: $SANDBOX_LOCAL_BINARY is not an executable; fix SANDBOX_LOCAL_BINARY" >&2; exit 2; }
  install -m 0755 "$SANDBOX_LOCAL_BINARY" "$dest/sandbox"
elif [ "${INPUT_BUILD_FROM_SOURCE:-false}" = "true" ]; then
  command -v swift >/dev/null || { echo "::error::install: build-from-source needs a Swift 6 toolchain on the runner; set version instead" >&2; exit 2; }
  swift build -c release --package-path "$action_path" --product sandbox
  install -m 0755 "$(swift build -c release --package-path "$action_path" --show-bin-path)/sandbox" "$dest/sandbox"
else
  version="${INPUT_VERSION:-}"
  version="${version#v}"
  [ -n "$version" ] || { echo "::error::install: set the version input (e.g. 0.1.0) or build-from-source: true" >&2; exit 2; }
  repository="${INPUT_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-}}"
  [ -n "$repository" ] || { echo "::error::install: no repository for the release download; set the repository input" >&2; exit 2; }
  arch="$(uname -m)"
  name="sandbox-$version-linux-$arch"
  base="${SANDBOX_RELEASE_BASE_URL:-https://github.com/$repository/releases/download/v$version}"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  curl -fsSL --retry 3 -o "$work/$name.tar.gz" "$base/$name.tar.gz" \
    || { echo "::error::install: could not download $base/$name.tar.gz; check the version input" >&2; exit 3; }
  curl -fsSL --retry 3 -o "$work/SHA256SUMS" "$base/SHA256SUMS" \
    || { echo "::error::install: could not download $base/SHA256SUMS" >&2; exit 3; }
  grep -q " $name.tar.gz\$" "$work/SHA256SUMS" \
    || { echo "::error::install: SHA256SUMS of $version does not list $name.tar.gz" >&2; exit 3; }
  (cd "$work" && grep " $name.tar.gz\$" SHA256SUMS | sha256sum -c --quiet -) \
    || { echo "::error::install: $name.tar.gz does not match its SHA256SUMS entry; not installing it" >&2; exit 3; }
  tar -C "$work" -xzf "$work/$name.tar.gz"
  install -m 0755 "$work/$name/sandbox" "$dest/sandbox"
fi

echo "$dest" >> "$GITHUB_PATH"
echo "SANDBOX_BIN=$dest/sandbox" >> "$GITHUB_ENV"
echo "sandbox $("$dest/sandbox" --version) installed in $dest"
