#!/usr/bin/env bash
# The demo: a local AWS-compatible endpoint (moto), then the whole sandbox lifecycle against it.
# moto is started here and stopped by its PID when the demo ends, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

SANDBOX="$(swift build --show-bin-path)/sandbox"
WORK="$(mktemp -d)"
LOG="$WORK/moto.log"

python3 Tests/moto_launcher.py --port 0 --parent-pid $$ >"$WORK/moto.out" 2>"$LOG" &
MOTO_PID=$!
cleanup() { kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

for _ in $(seq 1 150); do
  grep -q '^READY' "$WORK/moto.out" 2>/dev/null && break
  sleep 0.2
done
PORT="$(awk '/^READY/ {print $2}' "$WORK/moto.out")"
[ -n "$PORT" ] || { echo "moto did not start; see $LOG" >&2; cat "$LOG" >&2; exit 1; }

# Obvious sentinel credentials: moto accepts anything, and nothing real is ever needed for the demo.
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
export AWS_EC2_METADATA_DISABLED=true
export SANDBOX_VAR_owner="demo-team"
export SANDBOX_VAR_budget_email="alerts@example.com"
STATE="$WORK/demo.sqlite"
REPORTS="$WORK/reports"

step() { printf '\n$ %s\n' "$*"; }

step sandbox whoami
"$SANDBOX" whoami
step sandbox validate
"$SANDBOX" validate
step sandbox plan --state STATE
"$SANDBOX" plan --state "$STATE"
step sandbox apply --auto-approve --state STATE
"$SANDBOX" apply --auto-approve --state "$STATE"
step sandbox plan --detailed-exitcode --state STATE
"$SANDBOX" plan --detailed-exitcode --state "$STATE"
step sandbox output --env --state STATE
"$SANDBOX" output --env --state "$STATE"

step sandbox run new --workspace demo --state STATE
eval "$("$SANDBOX" run new --workspace demo --state "$STATE")"
echo "FLOE_PROVIDER_SPIKE_RUN=$FLOE_PROVIDER_SPIKE_RUN"

step "a simulated provider test run writes under the run prefix and into the run's Glue database"
BUCKET="$("$SANDBOX" output FLOE_AWS_TEST_BUCKET --state "$STATE")"
python3 - "$BUCKET" "$FLOE_AWS_RUN_PREFIX" "$FLOE_AWS_GLUE_DATABASE" <<'PY'
import sys, boto3
bucket, prefix, database = sys.argv[1:4]
s3 = boto3.client("s3")
for i in range(250):
    s3.put_object(Bucket=bucket, Key=f"{prefix}table_{i % 5}/part-{i:05d}.parquet", Body=b"x" * 128)
glue = boto3.client("glue")
glue.create_database(DatabaseInput={"Name": database})
for i in range(5):
    glue.create_table(DatabaseName=database, TableInput={"Name": f"table_{i}", "StorageDescriptor": {"Location": f"s3://{bucket}/{prefix}table_{i}/"}})
print(f"wrote 250 objects under s3://{bucket}/{prefix} and 5 tables in {database}")
PY
cat > "$WORK/junit.xml" <<'XML'
<testsuites><testsuite name="provider" tests="3"><testcase classname="test_aws_provider_live" name="test_write"/><testcase classname="test_aws_provider_live" name="test_read"/><testcase classname="test_aws_provider_live" name="test_catalog"/></testsuite></testsuites>
XML

# The cleanup script's interface: the run id from FLOE_PROVIDER_SPIKE_RUN, the sandbox's names from the
# FLOE_AWS_* environment the tests already read (checked against the stack), and its closing line.
step 'eval "$(sandbox output --env --state STATE)"'
eval "$("$SANDBOX" output --env --state "$STATE")"
step sandbox cleanup --junit junit.xml --state STATE
"$SANDBOX" cleanup --junit "$WORK/junit.xml" --state "$STATE" --report-dir "$REPORTS" --quiet
step sandbox report --run "\$FLOE_PROVIDER_SPIKE_RUN"
"$SANDBOX" report --run "$FLOE_PROVIDER_SPIKE_RUN" --state "$STATE"
step sandbox destroy --auto-approve --empty-bucket --state STATE
"$SANDBOX" destroy --auto-approve --empty-bucket --state "$STATE"
