#!/usr/bin/env bash
# make dist: a stripped release build with the Swift runtime linked statically, then in dist/
#   sandbox-VERSION-linux-ARCH.tar.gz   binary, completions, man page, README, third-party licenses
#   sandbox_VERSION_DEBARCH.deb         Depends: derived from the binary's NEEDED libraries
#   SHA256SUMS
set -euo pipefail
cd "$(dirname "$0")/../.."
SWIFT="${SWIFT:-swift}"
SCRATCH=.build/dist
OUT=dist
VERSION="$(tr -d '[:space:]' < VERSION)"
grep -q "current = \"$VERSION\"" Sources/SandboxCore/SandboxVersion.swift \
  || { echo "dist: Sources/SandboxCore/SandboxVersion.swift differs from VERSION ($VERSION); run make version" >&2; exit 2; }
ARCH="$(uname -m)"
DEBARCH="$(dpkg --print-architecture)"
for tool in dpkg-deb dpkg-shlibdeps objdump strip; do
  command -v "$tool" >/dev/null || { echo "dist: $tool is missing; apt-get install -y dpkg-dev binutils" >&2; exit 3; }
done
# FoundationNetworking links libcurl, which a static Swift runtime needs at link time.
[ -e "/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/libcurl.so" ] \
  || { echo "dist: libcurl's link library is missing; apt-get install -y libcurl4-openssl-dev" >&2; exit 3; }

echo "dist: release build, --static-swift-stdlib ($SCRATCH)" >&2
"$SWIFT" build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product sandbox
"$SWIFT" build --scratch-path "$SCRATCH" --product generate-manual >/dev/null

STAGE="$SCRATCH/stage"
rm -rf "$STAGE" && mkdir -p "$STAGE/completions" "$STAGE/man" "$OUT"
install -m 0755 "$SCRATCH/release/sandbox" "$STAGE/sandbox"
strip --strip-all "$STAGE/sandbox"
got="$("$STAGE/sandbox" --version)"
[ "$got" = "$VERSION" ] || { echo "dist: the binary says $got, VERSION says $VERSION" >&2; exit 1; }

"$STAGE/sandbox" --generate-completion-script bash > "$STAGE/completions/sandbox.bash"
"$STAGE/sandbox" --generate-completion-script zsh > "$STAGE/completions/_sandbox"
"$STAGE/sandbox" --generate-completion-script fish > "$STAGE/completions/sandbox.fish"
scripts/dist/manpage.sh "$STAGE/sandbox" "$STAGE/man" "$("$SWIFT" build --scratch-path "$SCRATCH" --show-bin-path)/generate-manual"
cp README.md "$STAGE/README.md"
scripts/dist/licenses.sh "$SCRATCH" > "$STAGE/THIRD_PARTY_LICENSES.md"

# The tarball: one top directory named like the file.
NAME="sandbox-$VERSION-linux-$ARCH"
TREE="$SCRATCH/tar/$NAME"
rm -rf "$SCRATCH/tar" && mkdir -p "$TREE"
cp -r "$STAGE"/. "$TREE/"
tar -C "$SCRATCH/tar" --owner=0 --group=0 --numeric-owner --sort=name -czf "$OUT/$NAME.tar.gz" "$NAME"

# The package, with the standard completion and man page locations.
PKG="$SCRATCH/deb/sandbox"
rm -rf "$SCRATCH/deb" && mkdir -p "$PKG/DEBIAN" "$PKG/usr/bin" "$PKG/usr/share/bash-completion/completions" \
  "$PKG/usr/share/zsh/vendor-completions" "$PKG/usr/share/fish/vendor_completions.d" "$PKG/usr/share/man/man1" "$PKG/usr/share/doc/sandbox"
install -m 0755 "$STAGE/sandbox" "$PKG/usr/bin/sandbox"
install -m 0644 "$STAGE/completions/sandbox.bash" "$PKG/usr/share/bash-completion/completions/sandbox"
install -m 0644 "$STAGE/completions/_sandbox" "$PKG/usr/share/zsh/vendor-completions/_sandbox"
install -m 0644 "$STAGE/completions/sandbox.fish" "$PKG/usr/share/fish/vendor_completions.d/sandbox.fish"
gzip -9n < "$STAGE/man/sandbox.1" > "$PKG/usr/share/man/man1/sandbox.1.gz"
install -m 0644 "$STAGE/THIRD_PARTY_LICENSES.md" "$PKG/usr/share/doc/sandbox/copyright"
DEPENDS="$(scripts/dist/depends.sh "$PKG" usr/bin/sandbox)"
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: sandbox
Version: $VERSION
Architecture: $DEBARCH
Maintainer: sandbox maintainers <sandbox@localhost>
Installed-Size: $(du -sk "$PKG/usr" | cut -f1)
Depends: $DEPENDS
Section: utils
Priority: optional
Description: provision, check and clean governed AWS test sandboxes
 One binary: a declarative stack applied to AWS, a readiness check for CI,
 and run-scoped cleanup with a validation report.
CONTROL
DEB="sandbox_${VERSION}_${DEBARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$PKG" "$OUT/$DEB" >/dev/null

(cd "$OUT" && sha256sum "$NAME.tar.gz" "$DEB" > SHA256SUMS)
echo "dist: Depends: $DEPENDS" >&2
ls -l "$OUT" >&2
