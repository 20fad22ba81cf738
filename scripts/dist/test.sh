#!/usr/bin/env bash
# make dist-test: dist/'s artifacts on a bare Debian bookworm with no Swift toolchain.
#   1. the .deb installed with apt into a copy of the cached minbase root (apt resolves Depends:);
#   2. the tarball in another copy, after installing only the packages the .deb's Depends: names.
# In each (chroot, same network namespace, so the host's loopback moto is reachable): sandbox --version,
# validate on the reference stack, whoami, apply and destroy. moto is started here and stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
VERSION="$(tr -d '[:space:]' < VERSION)"
DEB="$(ls dist/sandbox_"$VERSION"_*.deb)"
TARBALL="$(ls dist/sandbox-"$VERSION"-linux-*.tar.gz)"
(cd dist && sha256sum -c SHA256SUMS >/dev/null)
BASE="$(scripts/dist/rootfs.sh)"
WORK=".build/dist-test/work"
MOUNTS=()
MOTO_PID=""

cleanup() {
  local status=$?
  for ((i=${#MOUNTS[@]}-1; i>=0; i--)); do umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" 2>/dev/null || true; done
  if [ -n "$MOTO_PID" ]; then kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; fi
  exit "$status"
}
trap cleanup EXIT

python3 Tests/moto_launcher.py --port 0 --parent-pid $$ >"$BASE.moto.out" 2>"$BASE.moto.log" &
MOTO_PID=$!
for _ in $(seq 1 150); do grep -q '^READY' "$BASE.moto.out" 2>/dev/null && break; sleep 0.2; done
PORT="$(awk '/^READY/ {print $2}' "$BASE.moto.out")"
[ -n "$PORT" ] || { echo "dist-test: moto did not start; see $BASE.moto.log" >&2; exit 1; }

# A fresh copy of the cached root in $root, with /proc, /dev and DNS for apt (not in a subshell: the
# mounts are recorded for the exit trap).
fresh_root() {
  root="$WORK/$1"
  rm -rf "$root"; mkdir -p "$WORK"
  cp -a "$BASE" "$root"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"; MOUNTS+=("$root/proc")
  mount --bind /dev "$root/dev"; MOUNTS+=("$root/dev")
  mkdir -p "$root/work/Stacks"
  cp Stacks/aws-provider-tests.yaml "$root/work/Stacks/"
}

in_root() {
  local root="$1"; shift
  chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/work DEBIAN_FRONTEND=noninteractive "$@"
}

# The checks, the same for both: $1 the root, $2 the binary inside it.
exercise() {
  local root="$1" bin="$2"
  if in_root "$root" sh -c 'command -v swift || ls /usr/lib/swift /usr/lib/*/libswiftCore.so 2>/dev/null'; then
    echo "dist-test: a Swift toolchain or runtime is present in $root" >&2; return 1
  fi
  local env=(AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
             AWS_REGION=us-east-1 AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_EC2_METADATA_DISABLED=true
             SANDBOX_VAR_owner=dist-test SANDBOX_VAR_budget_email=alerts@example.com)
  local got; got="$(in_root "$root" "$bin" --version)"
  [ "$got" = "$VERSION" ] || { echo "dist-test: $bin --version printed '$got', expected $VERSION" >&2; return 1; }
  echo "  $bin --version: $got"
  in_root "$root" sh -c "cd /work && env ${env[*]} $bin validate" | sed 's/^/  /'
  in_root "$root" sh -c "cd /work && env ${env[*]} $bin whoami" | sed 's/^/  /'
  in_root "$root" sh -c "cd /work && env ${env[*]} $bin apply --auto-approve --state /work/state.sqlite" | tail -n 2 | sed 's/^/  /'
  in_root "$root" sh -c "cd /work && env ${env[*]} $bin destroy --auto-approve --empty-bucket --state /work/state.sqlite" | tail -n 2 | sed 's/^/  /'
}

echo "dist-test: $DEB on bookworm minbase (apt resolves Depends)"
t=$(date +%s)
fresh_root deb
cp "$DEB" "$root/tmp/"
in_root "$root" apt-get update -qq >/dev/null
in_root "$root" apt-get install -y -qq "/tmp/$(basename "$DEB")" >/dev/null
for path in /usr/bin/sandbox /usr/share/man/man1/sandbox.1.gz /usr/share/bash-completion/completions/sandbox \
            /usr/share/zsh/vendor-completions/_sandbox /usr/share/fish/vendor_completions.d/sandbox.fish; do
  [ -e "$root$path" ] || { echo "dist-test: the package did not install $path" >&2; exit 1; }
done
exercise "$root" sandbox
echo "dist-test: .deb done in $(( $(date +%s) - t )) s"

echo "dist-test: $TARBALL on bookworm minbase (only the .deb's Depends installed)"
t=$(date +%s)
fresh_root tar
packages="$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed -E 's/^ *//; s/ .*//')"
in_root "$root" apt-get update -qq >/dev/null
# shellcheck disable=SC2086
in_root "$root" apt-get install -y -qq --no-install-recommends $packages >/dev/null
tar -C "$root/opt" -xzf "$TARBALL"
bin="/opt/$(basename "$TARBALL" .tar.gz)/sandbox"
exercise "$root" "$bin"
echo "dist-test: tarball done in $(( $(date +%s) - t )) s"
echo "dist-test: passed in $(( $(date +%s) - started )) s (root cached in $BASE)"
