# A scaffold-shaped configuration: the facts of the provider-testing guide's OpenTofu scaffold
# (infra/aws-provider-tests/) as issue 14 lists them. Tests apply it with hashicorp/aws against moto to write
# the state `sandbox import --from-tfstate` adopts; ../scaffold.tfstate is one such state, committed.

variable "endpoint" {
  type        = string
  description = "test only: the local moto endpoint every service is sent to"
}

variable "aws_region" {
  type    = string
  default = "us-east-1"
}

variable "name_prefix" {
  type    = string
  default = "floe-provider-tests"
}

variable "owner" {
  type = string
}

variable "budget_email" {
  type      = string
  sensitive = true
}

variable "s3_bucket_name" {
  type    = string
  default = null
}

variable "s3_run_prefix" {
  type    = string
  default = "runs/"
  validation {
    condition     = can(regex("^[^/][A-Za-z0-9!_.*'()/-]*/$", var.s3_run_prefix))
    error_message = "s3_run_prefix must be a relative key prefix ending in /."
  }
}

variable "glue_database_prefix" {
  type    = string
  default = "floe_provider_"
  validation {
    condition     = can(regex("^[a-z][a-z0-9_]*_$", var.glue_database_prefix))
    error_message = "glue_database_prefix must be lowercase snake_case ending in _."
  }
}

variable "run_data_retention_days" {
  type    = number
  default = 3
  validation {
    condition     = var.run_data_retention_days >= 1 && var.run_data_retention_days <= 30
    error_message = "run_data_retention_days must be between 1 and 30."
  }
}

variable "monthly_budget_limit_usd" {
  type    = number
  default = 25
  validation {
    condition     = var.monthly_budget_limit_usd > 0 && var.monthly_budget_limit_usd <= 100
    error_message = "monthly_budget_limit_usd must be above 0 and at most 100."
  }
}

variable "enable_access_key_user" {
  type    = bool
  default = false
}

variable "common_tags" {
  type    = map(string)
  default = {}
}
