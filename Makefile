# sandbox: build, test, demo and benchmark targets. `make test` is the one CI runs.
SHELL := /bin/bash
PREFIX ?= /usr/local
SWIFT ?= swift
PYTHON ?= python3
LLVM_COV ?= $(shell command -v /opt/swift/usr/bin/llvm-cov || command -v llvm-cov)

.PHONY: all build release deps test coverage install demo completions clean bench bench-quick

all: build

# moto[server] runs the local AWS-compatible endpoint the integration tests talk to.
deps:
	@$(PYTHON) -c "import moto.server, flask, werkzeug" 2>/dev/null || $(PYTHON) -m pip install --quiet 'moto[server]'

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# The closing "N passed, N failed" line is read by CI; XCTest's own summary stays above it.
test: deps
	$(SWIFT) build --build-tests
	@set -o pipefail; $(SWIFT) test --skip-build --disable-swift-testing 2>&1 | tee .build/test.log; status=$$?; \
	  summary=$$(grep -E "^[[:space:]]*Executed [0-9]+ tests?, with" .build/test.log | tail -n 1); \
	  total=$$(echo "$$summary" | grep -oE 'Executed [0-9]+' | grep -oE '[0-9]+' || echo 0); \
	  failed=$$(echo "$$summary" | grep -oE '[0-9]+ failures?' | grep -oE '^[0-9]+' || echo 0); \
	  skipped=$$(echo "$$summary" | grep -oE '[0-9]+ tests? skipped' | grep -oE '^[0-9]+' || echo 0); \
	  echo "$$((total - failed - skipped)) passed, $$failed failed, $$skipped skipped"; exit $$status

# Line coverage of Sources/ per file and in total (llvm-cov over the test bundle).
coverage: deps
	$(SWIFT) test --enable-code-coverage
	@$(LLVM_COV) report "$$($(SWIFT) build --show-bin-path)/sandboxPackageTests.xctest" \
		-instr-profile="$$($(SWIFT) build --show-bin-path)/codecov/default.profdata" \
		-ignore-filename-regex='(\.build|Tests)/' | tail -n 40

install: release
	install -d "$(PREFIX)/bin"
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/sandbox" "$(PREFIX)/bin/sandbox"

completions: build
	@mkdir -p completions
	"$$($(SWIFT) build --show-bin-path)/sandbox" --generate-completion-script bash > completions/sandbox.bash
	"$$($(SWIFT) build --show-bin-path)/sandbox" --generate-completion-script zsh > completions/_sandbox
	"$$($(SWIFT) build --show-bin-path)/sandbox" --generate-completion-script fish > completions/sandbox.fish

# The main job: a local moto endpoint, then validate, plan, apply, a no-op plan, a test run and its cleanup.
demo: deps build
	bash scripts/demo.sh

# Benchmarks (not tests: nothing asserts a time). One local moto endpoint, started and stopped by bench/run.py;
# sandbox vs Terraform + hashicorp/aws (lifecycle) and vs an aws-cli script (cleanup). Writes bench/RESULTS.md
# (bench-quick: bench/RESULTS-quick.md). Extra flags: make bench BENCH_ARGS="--runs 7 --awscli-runs-20k 3".
BENCH_ARGS ?=
bench: deps release
	$(PYTHON) bench/run.py --sandbox "$$($(SWIFT) build -c release --show-bin-path)/sandbox" $(BENCH_ARGS)

bench-quick: deps release
	$(PYTHON) bench/run.py --quick --sandbox "$$($(SWIFT) build -c release --show-bin-path)/sandbox" $(BENCH_ARGS)

clean:
	rm -rf .build State/*.sqlite* State/reports completions
