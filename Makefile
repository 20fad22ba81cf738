# sandbox: build, test, demo and benchmark targets. `make test` is the one CI runs.
SHELL := /bin/bash
PREFIX ?= /usr/local
SWIFT ?= swift
PYTHON ?= python3
LLVM_COV ?= $(shell command -v /opt/swift/usr/bin/llvm-cov || command -v llvm-cov)

# COVERAGE=1: the same test run with code coverage, then the gate on Sources/ line coverage (COVERAGE_MIN percent).
COVERAGE ?=
COVERAGE_MIN ?= 85
COVERAGE_ARGS ?=
COVFLAG := $(if $(filter 1 yes true,$(COVERAGE)),--enable-code-coverage)

.PHONY: all build release deps test coverage coverage-report soak fuzz install demo completions clean bench bench-quick version dist dist-deps dist-test

all: build

# moto[server] runs the local AWS-compatible endpoint the integration tests talk to.
deps:
	@$(PYTHON) -c "import moto.server, flask, werkzeug" 2>/dev/null || $(PYTHON) -m pip install --quiet 'moto[server]'

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# The closing "N passed, N failed" line is read by CI; XCTest's own summary (and, with COVERAGE=1, the coverage
# report and gate) stay above it. CI (.ci/run) exports COVERAGE=1: one test run, with coverage, then the gate.
test: deps
	$(SWIFT) build --build-tests $(COVFLAG)
	@$(if $(COVFLAG),rm -f "$$($(SWIFT) build --show-bin-path)"/codecov/*.profraw;) \
	  set -o pipefail; $(SWIFT) test --skip-build $(COVFLAG) --disable-swift-testing 2>&1 | tee .build/test.log; status=$$?; \
	  summary=$$(grep -E "^[[:space:]]*Executed [0-9]+ tests?, with" .build/test.log | tail -n 1); \
	  total=$$(echo "$$summary" | grep -oE 'Executed [0-9]+' | grep -oE '[0-9]+' || echo 0); \
	  failed=$$(echo "$$summary" | grep -oE '[0-9]+ failures?' | grep -oE '^[0-9]+' || echo 0); \
	  skipped=$$(echo "$$summary" | grep -oE '[0-9]+ tests? skipped' | grep -oE '^[0-9]+' || echo 0); \
	  if [ -n "$(COVFLAG)" ]; then \
	    $(PYTHON) scripts/coverage.py --bin-path "$$($(SWIFT) build --show-bin-path)" --llvm-cov "$(LLVM_COV)" \
	      --fail-under $(COVERAGE_MIN) $(COVERAGE_ARGS) || { [ $$status -ne 0 ] || status=1; }; \
	  fi; \
	  echo "$$((total - failed - skipped)) passed, $$failed failed, $$skipped skipped"; exit $$status

# Line coverage of Sources/ per module and in total, counting the `sandbox` processes the integration tests run;
# fails under COVERAGE_MIN like CI. `make coverage-report` re-reads the last run's profiles without testing again.
coverage:
	@$(MAKE) --no-print-directory test COVERAGE=1 COVERAGE_ARGS=--files

coverage-report:
	@$(PYTHON) scripts/coverage.py --bin-path "$$($(SWIFT) build --show-bin-path)" --llvm-cov "$(LLVM_COV)" --files

# Longer fault-injection, crash and concurrency runs: SOAK_SEEDS seeds per command (kill points scale with it).
SOAK_SEEDS ?= 100
SOAK_FIRST_SEED ?= 1000
# Credentials parity cases (botocore vs sandbox) in the soak; make test runs 150.
SOAK_PARITY_CASES ?= 3000
soak: deps
	$(SWIFT) build --build-tests
	SANDBOX_SOAK_SEEDS=$(SOAK_SEEDS) SANDBOX_SOAK_FIRST_SEED=$(SOAK_FIRST_SEED) SANDBOX_PARITY_CASES=$(SOAK_PARITY_CASES) \
	  $(SWIFT) test --skip-build --disable-swift-testing --filter 'FaultInjectionTests|CrashTests|ConcurrencyTests|CredentialsParityTests'

# Coverage-guided libFuzzer runs (swiftc -sanitize=fuzzer) of the stack parser and the run scope, FUZZ_SECONDS each,
# in a build tree of their own. Corpora grow in .build/fuzz/corpus; a crash leaves .build/fuzz/crash-TARGET-*,
# replayed with: swift run sandbox-fuzz TARGET .build/fuzz/crash-TARGET-...
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= stack runscope
fuzz:
	$(SWIFT) build --build-path .build/fuzz --product sandbox-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DSANDBOX_LIBFUZZER
	@mkdir -p .build/fuzz/corpus/stack .build/fuzz/corpus/runscope
	@printf '\000floe-provider-20260101T000000Z\037part-0.parquet\037other' > .build/fuzz/corpus/runscope/seed-reference
	@printf '\201run-1\037\314\201x\037run-1x\037runs/\037floe_' > .build/fuzz/corpus/runscope/seed-permissive
	@for target in $(FUZZ_TARGETS); do \
	  seeds=""; [ $$target = stack ] && seeds="Tests/Corpus/stacks Stacks"; \
	  echo "fuzz: $$target for $(FUZZ_SECONDS)s"; \
	  SWIFT_BACKTRACE=enable=no SANDBOX_FUZZ_TARGET=$$target "$$($(SWIFT) build --build-path .build/fuzz --show-bin-path)/sandbox-fuzz" \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=.build/fuzz/crash-$$target- .build/fuzz/corpus/$$target $$seeds || exit 1; \
	done

install: release
	install -d "$(PREFIX)/bin" "$(PREFIX)/share/man/man1"
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/sandbox" "$(PREFIX)/bin/sandbox"
	$(SWIFT) build -c release --product generate-manual
	scripts/dist/manpage.sh "$(PREFIX)/bin/sandbox" "$(PREFIX)/share/man/man1" "$$($(SWIFT) build -c release --show-bin-path)/generate-manual"

# VERSION is the one place the version is set; this writes it into SandboxCore (SandboxVersionTests checks both agree).
version:
	@v="$$(tr -d '[:space:]' < VERSION)"; f=Sources/SandboxCore/SandboxVersion.swift; \
	  printf '%s\n' "// Generated from VERSION by \`make version\`; SandboxVersionTests fails when the two differ." "" \
	  "/// The version printed by \`sandbox --version\` and recorded in state, plans, reports and the User-Agent." \
	  "public enum SandboxVersion {" "    public static let current = \"$$v\"" "}" > "$$f.tmp"; \
	  if cmp -s "$$f.tmp" "$$f"; then rm "$$f.tmp"; else mv "$$f.tmp" "$$f"; echo "version: $$f now says $$v"; fi

# Release artifacts in dist/: tarball, .deb (Depends derived from the binary) and SHA256SUMS. dist-deps installs
# what building them and dist-test need (Debian/Ubuntu, as root).
dist-deps:
	apt-get install -y libcurl4-openssl-dev libxml2-dev libsqlite3-dev dpkg-dev binutils debootstrap

dist: version
	scripts/dist/build.sh

# The artifacts on a bare Debian bookworm (debootstrap --variant=minbase, cached in .build/dist-test), no Swift:
# the .deb installed with apt, the tarball with only the libraries the .deb declares. Downloads packages; not in `make test`.
dist-test: deps
	scripts/dist/test.sh

completions: build
	@mkdir -p completions
	"$$($(SWIFT) build --show-bin-path)/sandbox" --generate-completion-script bash > completions/sandbox.bash
	"$$($(SWIFT) build --show-bin-path)/sandbox" --generate-completion-script zsh > completions/_sandbox
	"$$($(SWIFT) build --show-bin-path)/sandbox" --generate-completion-script fish > completions/sandbox.fish

# The main job: a local moto endpoint, then validate, plan, apply, a no-op plan, a test run and its cleanup.
demo: deps build
	bash scripts/demo.sh

# Benchmarks (not tests: nothing asserts a time). One local moto endpoint, started and stopped by bench/run.py;
# sandbox vs Terraform + hashicorp/aws (lifecycle, also through bench/latency_proxy.py at 30 ms a request, with the
# critical path) and vs an aws-cli script (cleanup); then cleanup at scale against bench/synthetic_s3.py beside s5cmd
# and aws s3 rm (bench/scale.py). CPU seconds next to wall time in every row. Writes bench/RESULTS.md and
# bench/RESULTS-scale.md (bench-quick: bench/RESULTS-quick.md, no scale section).
# Extra flags: make bench BENCH_ARGS="--runs 7 --awscli-runs-20k 3 --scale-keys 100000,1000000".
BENCH_ARGS ?=
bench: deps release
	$(PYTHON) bench/run.py --sandbox "$$($(SWIFT) build -c release --show-bin-path)/sandbox" $(BENCH_ARGS)

bench-quick: deps release
	$(PYTHON) bench/run.py --quick --sandbox "$$($(SWIFT) build -c release --show-bin-path)/sandbox" $(BENCH_ARGS)

clean:
	rm -rf .build State/*.sqlite* State/reports completions
