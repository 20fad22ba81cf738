terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

# Sentinel credentials and a loopback endpoint: this configuration only ever talks to the tests' moto.
provider "aws" {
  region                      = var.aws_region
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
    budgets = var.endpoint
  }
  default_tags {
    tags = local.default_tags
  }
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_s3_bucket" "provider_tests" {
  bucket = local.bucket_name
}

resource "aws_s3_bucket_public_access_block" "provider_tests" {
  bucket                  = aws_s3_bucket.provider_tests.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "provider_tests" {
  bucket = aws_s3_bucket.provider_tests.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "provider_tests" {
  bucket = aws_s3_bucket.provider_tests.id
  versioning_configuration {
    status = "Disabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "provider_tests" {
  bucket = aws_s3_bucket.provider_tests.id
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

resource "aws_budgets_budget" "provider_tests" {
  # Explicit because the test provider skips requesting the account id (skip_requesting_account_id).
  account_id   = local.account_id
  name         = "${var.name_prefix}-monthly-budget"
  budget_type  = "COST"
  limit_amount = tostring(var.monthly_budget_limit_usd)
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
