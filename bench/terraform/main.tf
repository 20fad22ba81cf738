# The reference stack (Stacks/aws-provider-tests.yaml) in Terraform with hashicorp/aws, for `make bench`.
# Only for the benchmark: bench/run.py copies this directory to a scratch dir, points the provider at the
# benchmark's local moto endpoint (var.endpoint) and runs init/plan/apply/plan/destroy there.
# The stack's glue_database_prefix resource has no AWS object (sandbox only records the prefix), so here it is a local.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" {
  type        = string
  description = "the local moto endpoint, e.g. http://127.0.0.1:5000"
}
variable "owner" {
  type    = string
  default = "bench-team"
}
variable "budget_email" {
  type    = string
  default = "alerts@example.com"
}
# Distinct from the sandbox stack's floe-provider-tests so both tools' resources can live in the same
# moto side by side while their commands are measured alternately.
variable "name_prefix" {
  type    = string
  default = "floe-tf-tests"
}
variable "s3_run_prefix" {
  type    = string
  default = "runs/"
}
variable "glue_database_prefix" {
  type    = string
  default = "floe_provider_"
}
variable "budget_limit_usd" {
  type    = number
  default = 25
}
variable "run_data_retention_days" {
  type    = number
  default = 3
}
variable "versioning" {
  type    = string
  default = "Disabled"
}
variable "with_budget" {
  type        = bool
  default     = true
  description = "false leaves out aws_budgets_budget (see bench/RESULTS.md)"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  endpoints {
    s3      = var.endpoint
    iam     = var.endpoint
    sts     = var.endpoint
    glue    = var.endpoint
    budgets = var.endpoint
  }
  default_tags {
    tags = {
      Project   = "floe"
      Purpose   = "provider-compatibility"
      Owner     = var.owner
      ManagedBy = "terraform"
    }
  }
}

# sandbox also starts every command with STS GetCallerIdentity (account guard, ${account_id}).
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account_id  = data.aws_caller_identity.current.account_id
  region      = data.aws_region.current.name
  bucket_name = "${var.name_prefix}-${local.account_id}-${local.region}"
  glue_prefix = var.glue_database_prefix
}

resource "aws_s3_bucket" "bucket" {
  bucket = local.bucket_name
}

resource "aws_s3_bucket_public_access_block" "public_access" {
  bucket                  = aws_s3_bucket.bucket.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "encryption" {
  bucket = aws_s3_bucket.bucket.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "versioning" {
  bucket = aws_s3_bucket.bucket.id
  versioning_configuration {
    status = var.versioning
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "lifecycle" {
  bucket = aws_s3_bucket.bucket.id
  rule {
    id     = "expire-provider-test-runs"
    status = "Enabled"
    filter {
      prefix = var.s3_run_prefix
    }
    expiration {
      days = var.run_data_retention_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_iam_policy" "policy" {
  name        = "${var.name_prefix}-permissions"
  description = "Scoped access for provider-compatibility tests"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Identity", Effect = "Allow", Action = "sts:GetCallerIdentity", Resource = "*" },
      { Sid = "BucketLevel", Effect = "Allow", Action = ["s3:GetBucketLocation", "s3:ListBucket"], Resource = aws_s3_bucket.bucket.arn },
      {
        Sid      = "RunObjects", Effect = "Allow"
        Action   = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"]
        Resource = "${aws_s3_bucket.bucket.arn}/${var.s3_run_prefix}*"
      },
      {
        Sid    = "GlueDatabases", Effect = "Allow"
        Action = ["glue:CreateDatabase", "glue:DeleteDatabase", "glue:GetDatabase", "glue:GetDatabases", "glue:UpdateDatabase"]
        Resource = [
          "arn:aws:glue:${local.region}:${local.account_id}:catalog",
          "arn:aws:glue:${local.region}:${local.account_id}:database/${local.glue_prefix}*",
        ]
      },
      {
        Sid    = "GlueTables", Effect = "Allow"
        Action = ["glue:BatchDeleteTable", "glue:CreateTable", "glue:DeleteTable", "glue:GetTable", "glue:GetTables", "glue:UpdateTable"]
        Resource = [
          "arn:aws:glue:${local.region}:${local.account_id}:catalog",
          "arn:aws:glue:${local.region}:${local.account_id}:database/${local.glue_prefix}*",
          "arn:aws:glue:${local.region}:${local.account_id}:table/${local.glue_prefix}*/*",
        ]
      },
    ]
  })
}

resource "aws_budgets_budget" "budget" {
  count        = var.with_budget ? 1 : 0
  account_id   = local.account_id
  name         = "${var.name_prefix}-monthly-budget"
  budget_type  = "COST"
  limit_amount = tostring(var.budget_limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 80
    threshold_type             = "PERCENTAGE"
    notification_type          = "ACTUAL"
    subscriber_email_addresses = [var.budget_email]
  }
  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 100
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_email_addresses = [var.budget_email]
  }
}

output "FLOE_AWS_REGION" { value = local.region }
output "FLOE_AWS_TEST_BUCKET" { value = aws_s3_bucket.bucket.id }
output "FLOE_AWS_TEST_PREFIX" { value = var.s3_run_prefix }
output "FLOE_AWS_GLUE_DATABASE_PREFIX" { value = local.glue_prefix }
output "FLOE_AWS_PROVIDER_TEST_POLICY_ARN" { value = aws_iam_policy.policy.arn }
output "FLOE_AWS_BUDGET_NAME" { value = var.with_budget ? aws_budgets_budget.budget[0].name : null }
