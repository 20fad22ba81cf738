#!/usr/bin/env python3
"""Line coverage of Sources/ per module and in total, from a `swift test --enable-code-coverage` run.

Usage: coverage.py --bin-path .build/debug [--llvm-cov PATH] [--fail-under PCT] [--files]

Merges every profile in BIN/codecov/ (the test bundle's and, via CommandRunner, those of the `sandbox` processes the
integration tests started), reports over the test bundle plus the `sandbox` binary, groups files by
Sources/<Module>/, and exits 1 when the total is under --fail-under.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict


def tool(explicit, name):
    for candidate in [explicit, f"/opt/swift/usr/bin/{name}", shutil.which(name)]:
        if candidate and os.path.exists(candidate):
            return candidate
    sys.exit(f"coverage: {name} not found; pass --llvm-cov or put it on PATH")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin-path", required=True)
    p.add_argument("--llvm-cov")
    p.add_argument("--fail-under", type=float, default=0)
    p.add_argument("--files", action="store_true", help="also list the 15 least-covered files")
    args = p.parse_args()

    llvm_cov = tool(args.llvm_cov, "llvm-cov")
    profdata_tool = tool(os.path.join(os.path.dirname(llvm_cov), "llvm-profdata") if args.llvm_cov else None, "llvm-profdata")
    codecov = os.path.join(args.bin_path, "codecov")
    raws = sorted(glob.glob(os.path.join(codecov, "*.profraw")))
    if not raws:
        sys.exit(f"coverage: no profiles in {codecov}; run `make test COVERAGE=1` first")
    merged = os.path.join(codecov, "sources.profdata")
    # An unreadable profile (a process killed while writing it) is left out with a warning instead of failing the
    # whole merge (--failure-mode=all); the gate then judges what could be read.
    subprocess.run([profdata_tool, "merge", "-sparse", "--failure-mode=all", "-o", merged] + raws, check=True)

    objects = [os.path.join(args.bin_path, "sandboxPackageTests.xctest")]
    binary = os.path.join(args.bin_path, "sandbox")
    if os.path.exists(binary):
        objects += ["-object", binary]
    exported = subprocess.run([llvm_cov, "export", "-summary-only", "-instr-profile", merged,
                               "-ignore-filename-regex", r"(\.build|Tests)/"] + objects,
                              check=True, capture_output=True, text=True).stdout
    files = json.loads(exported)["data"][0]["files"]

    modules = defaultdict(lambda: [0, 0])
    per_file = []
    for entry in files:
        name = entry["filename"]
        marker = "/Sources/"
        if marker not in name:
            continue
        relative = name.split(marker, 1)[1]
        lines = entry["summary"]["lines"]
        modules[relative.split("/", 1)[0]][0] += lines["count"]
        modules[relative.split("/", 1)[0]][1] += lines["covered"]
        per_file.append((relative, lines["count"], lines["covered"]))

    def pct(covered, count):
        return 100.0 * covered / count if count else 100.0

    print(f"{'module':<18} {'lines':>7} {'covered':>8} {'cover':>8}")
    for module in sorted(modules):
        count, covered = modules[module]
        print(f"{module:<18} {count:>7} {covered:>8} {pct(covered, count):>7.2f}%")
    total = sum(c for c, _ in modules.values())
    covered = sum(c for _, c in modules.values())
    print(f"{'TOTAL':<18} {total:>7} {covered:>8} {pct(covered, total):>7.2f}%")
    if args.files:
        print("\nleast covered files (missed lines):")
        for relative, count, hit in sorted(per_file, key=lambda f: f[2] - f[1])[:15]:
            print(f"  {count - hit:>5} missed  {pct(hit, count):6.2f}%  {relative}")
    if pct(covered, total) < args.fail_under:
        print(f"coverage: {pct(covered, total):.2f}% of Sources/ lines is under the {args.fail_under:g}% gate", file=sys.stderr)
        sys.exit(1)
    if args.fail_under:
        print(f"coverage gate: {pct(covered, total):.2f}% >= {args.fail_under:g}%")


if __name__ == "__main__":
    main()
