locals {
  account_id  = data.aws_caller_identity.current.account_id
  region      = data.aws_region.current.name
  bucket_name = coalesce(var.s3_bucket_name, lower("${var.name_prefix}-${local.account_id}-${local.region}"))
  default_tags = merge({
    Project   = "floe"
    Purpose   = "provider-compatibility"
    ManagedBy = "opentofu"
    Owner     = var.owner
  }, var.common_tags)
}
