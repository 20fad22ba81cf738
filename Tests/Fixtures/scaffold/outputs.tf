output "aws_account_id" { value = local.account_id }
output "aws_region" { value = local.region }
output "s3_bucket_name" { value = aws_s3_bucket.provider_tests.id }
output "s3_run_prefix" { value = var.s3_run_prefix }
output "glue_database_prefix" { value = var.glue_database_prefix }
output "provider_test_policy_arn" { value = aws_iam_policy.provider_tests.arn }
output "budget_name" { value = aws_budgets_budget.provider_tests.name }
output "budget_email" {
  value     = var.budget_email
  sensitive = true
}
output "recommended_environment" {
  sensitive = true
  value = {
    FLOE_AWS_REGION                   = local.region
    FLOE_AWS_TEST_BUCKET              = aws_s3_bucket.provider_tests.id
    FLOE_AWS_TEST_PREFIX              = var.s3_run_prefix
    FLOE_AWS_GLUE_DATABASE_PREFIX     = var.glue_database_prefix
    FLOE_AWS_BUDGET_NAME              = aws_budgets_budget.provider_tests.name
    FLOE_AWS_BUDGET_EMAIL             = var.budget_email
    FLOE_AWS_PROVIDER_TEST_POLICY_ARN = aws_iam_policy.provider_tests.arn
  }
}
