data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  name       = "community-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  function   = "${local.name}-ingest"

  # module outputs, wired once (the modules give them through try())
  key_arn      = module.kms.key_arn
  uploads_arn  = module.uploads.s3_bucket_arn
  uploads_name = module.uploads.s3_bucket_id
  table_name   = module.events.dynamodb_table_id
  table_arn    = module.events.dynamodb_table_arn
  bucket_sse_kms = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = module.kms.key_arn
      }
      bucket_key_enabled = true
    }
  }
}

# ------------------------------------------------------------------ KMS (incident 3)

module "kms" {
  source = "./modules/kms"

  description             = "${local.name} data key"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  aliases                 = [local.name]

  # enable_default_policy (the module's default) keeps the account root statement
  key_statements = [
    {
      sid       = "CloudWatchLogs"
      actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      resources = ["*"]
      principals = [
        { type = "Service", identifiers = ["logs.${local.region}.amazonaws.com"] }
      ]
      conditions = [
        {
          test     = "ArnLike"
          variable = "kms:EncryptionContext:aws:logs:arn"
          values   = ["arn:aws:logs:${local.region}:${local.account_id}:*"]
        }
      ]
    },
    {
      sid        = "LambdaUse"
      actions    = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
      resources  = ["*"]
      principals = [{ type = "Service", identifiers = ["lambda.amazonaws.com"] }]
    },
    {
      sid        = "LambdaGrants"
      actions    = ["kms:CreateGrant"]
      resources  = ["*"]
      principals = [{ type = "Service", identifiers = ["lambda.amazonaws.com"] }]
      conditions = [
        { test = "StringEquals", variable = "kms:ViaService", values = ["lambda.${local.region}.amazonaws.com"] },
        { test = "Bool", variable = "kms:GrantIsForAWSResource", values = ["true"] },
      ]
    },
  ]
}

# ------------------------------------------------------ S3 (incidents 4, 5, 9, 11)

module "uploads" {
  source = "./modules/s3-bucket"

  bucket        = "${local.name}-uploads-${local.account_id}"
  force_destroy = true

  attach_deny_insecure_transport_policy = true
  versioning                            = { enabled = true }
  server_side_encryption_configuration  = local.bucket_sse_kms
}

module "audit" {
  source = "./modules/s3-bucket"

  bucket        = "${local.name}-audit-${local.account_id}"
  force_destroy = true

  attach_deny_insecure_transport_policy = true
  versioning                            = { status = "Enabled" }
  server_side_encryption_configuration  = local.bucket_sse_kms
}

# Incidents 1 and 9: the submodule writes the one notification of the bucket and
# the permission it depends on.
module "uploads_notification" {
  source = "./modules/s3-bucket/modules/notification"

  bucket     = local.uploads_name
  bucket_arn = local.uploads_arn

  lambda_notifications = {
    ingest = {
      function_arn  = aws_lambda_function.ingest.arn
      function_name = aws_lambda_function.ingest.function_name
      events        = ["s3:ObjectCreated:*"]
      filter_prefix = "incoming/"
    }
  }
}

# ------------------------------------------------------------ DynamoDB (incident 10)

module "events" {
  source = "./modules/dynamodb-table"

  name      = "${local.name}-events"
  hash_key  = "pk"
  range_key = "sk"
  attributes = [
    { name = "pk", type = "S" },
    { name = "sk", type = "S" },
  ]

  point_in_time_recovery_enabled     = true
  server_side_encryption_enabled     = true
  server_side_encryption_kms_key_arn = local.key_arn
}
