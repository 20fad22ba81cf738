#!/usr/bin/env bash
# The action's command step. INPUT_COMMAND is one of
#   check     sandbox check --env: exports the stack outputs (FLOE_AWS_*) to GITHUB_ENV when ready
#   run-new   sandbox run new: exports the run id (FLOE_PROVIDER_SPIKE_RUN), prefix and database to GITHUB_ENV
#   cleanup   sandbox cleanup --run INPUT_RUN_ID (default: FLOE_PROVIDER_SPIKE_RUN) with INPUT_JUNIT files
# Shared inputs: INPUT_STACK, INPUT_STATE, INPUT_BACKEND, INPUT_ARGS (extra flags, split on spaces),
# INPUT_REPORT_DIR (default State/reports), INPUT_JUNIT (newline- or space-separated). sandbox itself
# appends its table/report to GITHUB_STEP_SUMMARY; the run id also goes to GITHUB_OUTPUT as run-id.
# Exit: sandbox's own exit code (README "Exit codes"), or 2 for a bad input.
set -euo pipefail
: "${GITHUB_ENV:?GITHUB_ENV is not set: run inside GitHub Actions or point it at a file}"
SANDBOX="${SANDBOX_BIN:-sandbox}"
report_dir="${INPUT_REPORT_DIR:-State/reports}"
mkdir -p "$report_dir"

common=()
[ -n "${INPUT_STACK:-}" ] && common+=(--stack "$INPUT_STACK")
[ -n "${INPUT_STATE:-}" ] && common+=(--state "$INPUT_STATE")
[ -n "${INPUT_BACKEND:-}" ] && common+=(--backend "$INPUT_BACKEND")
read -r -a extra <<<"${INPUT_ARGS:-}"

# Appends each `export NAME=value` line of $1 to GITHUB_ENV as NAME=value (values are shell-quoted by sandbox).
export_lines() {
  local names
  eval "$1"
  names="$(printf '%s\n' "$1" | sed -n 's/^export \([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p')"
  for name in $names; do
    printf '%s=%s\n' "$name" "${!name}" >> "$GITHUB_ENV"
    echo "exported $name"
  done
}

status=0
case "${INPUT_COMMAND:-}" in
  check)
    exports="$("$SANDBOX" check --env --junit "$report_dir/sandbox-check.xml" ${common[@]+"${common[@]}"} ${extra[@]+"${extra[@]}"})" || status=$?
    if [ "$status" -eq 0 ]; then export_lines "$exports"; fi
    ;;
  run-new)
    exports="$("$SANDBOX" run new ${common[@]+"${common[@]}"} ${extra[@]+"${extra[@]}"})" || status=$?
    if [ "$status" -eq 0 ]; then
      export_lines "$exports"
      eval "$exports"
      [ -n "${GITHUB_OUTPUT:-}" ] && echo "run-id=$FLOE_PROVIDER_SPIKE_RUN" >> "$GITHUB_OUTPUT"
      if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        printf '## sandbox run %s\n\n`s3://%s/%s`, Glue database `%s`\n\n' "$FLOE_PROVIDER_SPIKE_RUN" \
          "${FLOE_AWS_TEST_BUCKET:-?}" "$FLOE_AWS_RUN_PREFIX" "$FLOE_AWS_GLUE_DATABASE" >> "$GITHUB_STEP_SUMMARY"
      fi
    fi
    ;;
  cleanup)
    run_id="${INPUT_RUN_ID:-${FLOE_PROVIDER_SPIKE_RUN:-}}"
    [ -n "$run_id" ] || { echo "::error::cleanup: no run id; set the run-id input or run the run-new command first" >&2; exit 2; }
    junit=()
    for file in ${INPUT_JUNIT:-}; do junit+=(--junit "$file"); done
    "$SANDBOX" cleanup --run "$run_id" --report-dir "$report_dir" --quiet ${junit[@]+"${junit[@]}"} \
      ${common[@]+"${common[@]}"} ${extra[@]+"${extra[@]}"} || status=$?
    ;;
  *)
    echo "::error::command must be check, run-new or cleanup, not '${INPUT_COMMAND:-}'" >&2
    exit 2
    ;;
esac
[ "$status" -eq 0 ] || echo "::error::sandbox ${INPUT_COMMAND} failed with exit code $status (README: Exit codes)" >&2
exit "$status"
