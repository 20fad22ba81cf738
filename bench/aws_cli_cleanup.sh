#!/usr/bin/env bash
# The baseline `make bench` compares `sandbox cleanup` with: the aws-cli script a team would write to
# clean one test run (S3 prefix + Glue database), ending with a verification listing.
# Usage: aws_cli_cleanup.sh ENDPOINT_URL BUCKET PREFIX DATABASE   (PREFIX like runs/RUN_ID/)
set -euo pipefail
endpoint="$1" bucket="$2" prefix="$3" database="$4"
aws() { command aws --endpoint-url "$endpoint" "$@"; }

aws s3 rm --recursive --quiet "s3://$bucket/$prefix"

tables="$(aws glue get-tables --database-name "$database" --query 'TableList[].Name' --output text)"
for table in $tables; do
  aws glue delete-table --database-name "$database" --name "$table"
done
aws glue delete-database --name "$database"

# Verify: nothing may be left under the prefix (`aws s3 ls` exits 1 when it lists nothing).
left="$(aws s3 ls --recursive "s3://$bucket/$prefix" || true)"
if [ -n "$left" ]; then
  echo "objects left under s3://$bucket/$prefix:" >&2
  echo "$left" | head -5 >&2
  exit 1
fi
