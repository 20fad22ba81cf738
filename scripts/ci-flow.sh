#!/usr/bin/env bash
# The sandbox CI flow for any CI system (docs/ci.md has the GitHub Actions version):
#   1. sandbox check      stop before any test unless the sandbox is ready (JUnit: sandbox-check.xml)
#   2. sandbox run new    a fresh run id, S3 prefix and Glue database, exported to the tests
#   3. the provider tests (their JUnit XML goes into the report)
#   4. sandbox cleanup    always, also when the tests fail or the job is interrupted
#
# Credentials come from the usual chain (AWS_PROFILE, exported keys, or AWS_WEB_IDENTITY_TOKEN_FILE +
# AWS_ROLE_ARN for OIDC); stack variables from SANDBOX_VAR_<name>; the state file from SANDBOX_STATE
# or State/<stack>.sqlite. Settings, all optional:
#   SANDBOX                 the sandbox binary (default: sandbox on PATH)
#   SANDBOX_REPORT_DIR      where JUnit files and the run report go (default: State/reports)
#   SANDBOX_CHECK_ARGS      extra check flags, split on spaces (e.g. "--probe --expect-account 123456789012")
#   PROVIDER_TEST_COMMAND   the tests, run with bash -c; they must write JUnit XML to $PROVIDER_TEST_JUNIT
#                           (default: python3 -m pytest --junitxml "$PROVIDER_TEST_JUNIT")
# Exit status: the first failure among check (1 not ready, 2 stack/usage, 3 credentials), the tests,
# and cleanup; 0 only when all of them succeeded.
set -euo pipefail

SANDBOX="${SANDBOX:-sandbox}"
REPORT_DIR="${SANDBOX_REPORT_DIR:-State/reports}"
mkdir -p "$REPORT_DIR"
export PROVIDER_TEST_JUNIT="${PROVIDER_TEST_JUNIT:-$REPORT_DIR/provider-tests.xml}"
rm -f "$PROVIDER_TEST_JUNIT"

# 1. Readiness. With --env the check prints export lines (only when ready) and its table on stderr.
#    The assignment fails, and set -e stops the job, with check's exit status when the sandbox is not ready.
read -r -a check_args <<<"${SANDBOX_CHECK_ARGS:-}"
echo "ci-flow: sandbox check" >&2
sandbox_env="$("$SANDBOX" check --env --junit "$REPORT_DIR/sandbox-check.xml" ${check_args[@]+"${check_args[@]}"})"
eval "$sandbox_env"

# 2. A fresh run: FLOE_PROVIDER_SPIKE_RUN, FLOE_AWS_RUN_PREFIX and FLOE_AWS_GLUE_DATABASE.
run_env="$("$SANDBOX" run new)"
eval "$run_env"
echo "ci-flow: run $FLOE_PROVIDER_SPIKE_RUN (s3://$FLOE_AWS_TEST_BUCKET/$FLOE_AWS_RUN_PREFIX, Glue $FLOE_AWS_GLUE_DATABASE)" >&2

# 4. Cleanup, whatever happens from here on: test failure, a killed job (INT/TERM), or success.
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  echo "ci-flow: sandbox cleanup --run $FLOE_PROVIDER_SPIKE_RUN" >&2
  # A JUnit file the tests never wrote shows up in the report as "never ran", not as an error.
  "$SANDBOX" cleanup --run "$FLOE_PROVIDER_SPIKE_RUN" --junit "$PROVIDER_TEST_JUNIT" --report-dir "$REPORT_DIR" --quiet
  local cleanup_status=$?
  if [ "$status" -eq 0 ]; then status=$cleanup_status; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 3. The provider tests, with the sandbox and run variables exported.
echo "ci-flow: provider tests" >&2
bash -c "${PROVIDER_TEST_COMMAND:-python3 -m pytest --junitxml \"\$PROVIDER_TEST_JUNIT\"}"
