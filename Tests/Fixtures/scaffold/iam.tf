resource "aws_iam_policy" "provider_tests" {
  name        = "${var.name_prefix}-permissions"
  description = "Scoped access for provider-compatibility tests"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Identity", Effect = "Allow", Action = "sts:GetCallerIdentity", Resource = "*" },
      { Sid = "BucketLevel", Effect = "Allow", Action = ["s3:GetBucketLocation", "s3:ListBucket"], Resource = aws_s3_bucket.provider_tests.arn },
      {
        Sid      = "RunObjects", Effect = "Allow"
        Action   = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"]
        Resource = "${aws_s3_bucket.provider_tests.arn}/${var.s3_run_prefix}*"
      },
      {
        Sid    = "GlueDatabases", Effect = "Allow"
        Action = ["glue:CreateDatabase", "glue:DeleteDatabase", "glue:GetDatabase", "glue:GetDatabases", "glue:UpdateDatabase"]
        Resource = [
          "arn:aws:glue:${local.region}:${local.account_id}:catalog",
          "arn:aws:glue:${local.region}:${local.account_id}:database/${var.glue_database_prefix}*",
        ]
      },
      {
        Sid    = "GlueTables", Effect = "Allow"
        Action = ["glue:BatchDeleteTable", "glue:CreateTable", "glue:DeleteTable", "glue:GetTable", "glue:GetTables", "glue:UpdateTable"]
        Resource = [
          "arn:aws:glue:${local.region}:${local.account_id}:catalog",
          "arn:aws:glue:${local.region}:${local.account_id}:database/${var.glue_database_prefix}*",
          "arn:aws:glue:${local.region}:${local.account_id}:table/${var.glue_database_prefix}*/*",
        ]
      },
    ]
  })
}

# Optional: an IAM user with the policy attached, for teams without role-based CI. Never access keys.
resource "aws_iam_user" "provider_tests" {
  count = var.enable_access_key_user ? 1 : 0
  name  = "${var.name_prefix}-user"
}

resource "aws_iam_user_policy_attachment" "provider_tests" {
  count      = var.enable_access_key_user ? 1 : 0
  user       = aws_iam_user.provider_tests[0].name
  policy_arn = aws_iam_policy.provider_tests.arn
}
