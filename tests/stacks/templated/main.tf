# The TAP architecture driven by data: buckets are a map of objects in a local
# (each with its own settings), permissions and notifications are filtered
# for_each expressions over it, every IAM and bucket policy is a JSON template
# file rendered by templatefile(), the API route is nested (/v1/process), the
# function's code is a single file packed with source_content, and tags are
# merged from a common map.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
    archive = {
      source = "hashicorp/archive"
    }
  }
}

provider "aws" {
  region = local.region
}

locals {
  region = "us-east-1"
  stage  = "dev"
  tags   = { Owner = "platform", Stage = local.stage }
  buckets = {
    landing = { triggers = true, retention_days = 30 }
    exports = { triggers = false, retention_days = 7 }
  }
  triggering = { for name, b in local.buckets : name => b if b.triggers }
  function   = "tpl-${local.stage}-handler"
}

data "aws_caller_identity" "me" {}

data "aws_partition" "current" {}

resource "aws_kms_key" "data" {
  description         = "tpl data"
  enable_key_rotation = true
  tags                = merge(local.tags, { Name = "tpl-data" })
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid       = "Admins"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.me.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      }],
      [for service in ["logs.${local.region}.amazonaws.com", "lambda.amazonaws.com"] : {
        Sid       = "Use-${split(".", service)[0]}"
        Effect    = "Allow"
        Principal = { Service = service }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
      }],
      [{
        Sid       = "LambdaGrants"
        Effect    = "Allow"
        Principal = { Service = "lambda.amazonaws.com" }
        Action    = ["kms:CreateGrant"]
        Resource  = "*"
        Condition = {
          StringEquals = { "kms:ViaService" = "lambda.${local.region}.amazonaws.com" }
          Bool         = { "kms:GrantIsForAWSResource" = true }
        }
      }],
    )
  })
}

# ---------------------------------------------------------------- buckets

resource "aws_s3_bucket" "data" {
  for_each      = local.buckets
  bucket        = "tpl-${local.stage}-${each.key}-${data.aws_caller_identity.me.account_id}"
  force_destroy = true
  tags          = merge(local.tags, { Purpose = each.key })
}

resource "aws_s3_bucket_versioning" "data" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.data[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.data[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.id
    }
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  for_each                = local.buckets
  bucket                  = aws_s3_bucket.data[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "data" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.data[each.key].id
  rule {
    id     = "expire-noncurrent"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = each.value.retention_days
    }
  }
}

resource "aws_s3_bucket_policy" "data" {
  for_each   = local.buckets
  bucket     = aws_s3_bucket.data[each.key].id
  policy     = templatefile("${path.module}/policies/bucket.json.tftpl", { bucket_arn = aws_s3_bucket.data[each.key].arn })
  depends_on = [aws_s3_bucket_public_access_block.data]
}

# ---------------------------------------------------------------- table

resource "aws_dynamodb_table" "events" {
  name           = "tpl-${local.stage}-events"
  billing_mode   = "PROVISIONED"
  read_capacity  = 1
  write_capacity = 1
  hash_key       = "id"
  attribute {
    name = "id"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
  tags = local.tags
}

# ---------------------------------------------------------------- function

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${local.function}"
  retention_in_days = 14
  kms_key_id        = aws_kms_key.data.arn
}

data "archive_file" "function" {
  type                    = "zip"
  source_content          = file("${path.module}/src/handler.py")
  source_content_filename = "handler.py"
  output_path             = "${path.module}/out/function.zip"
}

resource "aws_iam_role" "function" {
  name = local.function
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "function" {
  role = aws_iam_role.function.id
  policy = templatefile("${path.module}/policies/function.json.tftpl", {
    actions       = jsonencode(["dynamodb:PutItem"])
    table_arn     = aws_dynamodb_table.events.arn
    log_group_arn = aws_cloudwatch_log_group.function.arn
  })
}

resource "aws_lambda_function" "handler" {
  function_name    = local.function
  role             = aws_iam_role.function.arn
  runtime          = "python3.11"
  handler          = "handler.main"
  filename         = data.archive_file.function.output_path
  source_code_hash = data.archive_file.function.output_base64sha256
  memory_size      = 256
  environment {
    variables = { EVENTS_TABLE = aws_dynamodb_table.events.name }
  }
  tags       = local.tags
  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.function]
}

resource "aws_lambda_permission" "bucket" {
  for_each       = local.triggering
  statement_id   = "from-${each.key}"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.handler.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.data[each.key].arn
  source_account = data.aws_caller_identity.me.account_id
}

resource "aws_s3_bucket_notification" "bucket" {
  for_each = local.triggering
  bucket   = aws_s3_bucket.data[each.key].id
  lambda_function {
    lambda_function_arn = aws_lambda_function.handler.arn
    events              = ["s3:ObjectCreated:*"]
  }
  depends_on = [aws_lambda_permission.bucket]
}

# ---------------------------------------------------------------- API

resource "aws_api_gateway_rest_api" "api" {
  name = "tpl-${local.stage}"
  tags = local.tags
}

resource "aws_api_gateway_resource" "v1" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "v1"
}

resource "aws_api_gateway_resource" "process" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_resource.v1.id
  path_part   = "process"
}

resource "aws_api_gateway_method" "process" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.process.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "process" {
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_resource.process.id
  http_method             = aws_api_gateway_method.process.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.handler.invoke_arn
}

resource "aws_lambda_permission" "api" {
  statement_id  = "from-api"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.handler.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.api.execution_arn}/*/POST/v1/process"
}

resource "aws_api_gateway_deployment" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  depends_on  = [aws_api_gateway_integration.process, aws_api_gateway_method.process]
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_iam_role" "gateway" {
  name = "tpl-${local.stage}-gateway"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "apigateway.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "gateway" {
  role       = aws_iam_role.gateway.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.gateway.arn
  depends_on          = [aws_iam_role_policy_attachment.gateway]
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/tpl-${local.stage}"
  retention_in_days = 14
  kms_key_id        = aws_kms_key.data.arn
}

resource "aws_api_gateway_stage" "stage" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.api.id
  stage_name    = local.stage
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = "$context.requestId $context.status $context.responseLatency"
  }
  tags       = local.tags
  depends_on = [aws_api_gateway_account.this]
}

# ---------------------------------------------------------------- proof

resource "aws_iam_role" "writer" {
  name = "tpl-${local.stage}-writer"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "writer" {
  role = aws_iam_role.writer.id
  policy = templatefile("${path.module}/policies/writer.json.tftpl", {
    object_arns = [for name, b in aws_s3_bucket.data : "${b.arn}/*"]
    key_arn     = aws_kms_key.data.arn
  })
}

resource "aws_iam_instance_profile" "writer" {
  name = "tpl-${local.stage}-writer"
  role = aws_iam_role.writer.name
}

resource "aws_instance" "writer" {
  ami                  = "ami-0c02fb55956c7d316"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.writer.name
  user_data = join("\n", [
    "#!/bin/bash",
    "echo written > /tmp/w",
    "aws s3api put-object --bucket ${aws_s3_bucket.data["exports"].id} --key w --body /tmp/w --server-side-encryption aws:kms --ssekms-key-id ${aws_kms_key.data.arn}",
  ])
  tags       = merge(local.tags, { Name = "tpl-writer" })
  depends_on = [aws_iam_role_policy.writer]
}

# ---------------------------------------------------------------- outputs

output "stage" {
  value = local.stage
}

output "buckets" {
  value = { for k, b in aws_s3_bucket.data : k => { name = b.bucket, arn = b.arn } }
}

output "events_table" {
  value = { name = aws_dynamodb_table.events.name, arn = aws_dynamodb_table.events.arn }
}

output "handler" {
  value = { name = aws_lambda_function.handler.function_name, arn = aws_lambda_function.handler.arn }
}

output "endpoint" {
  value = { api_id = aws_api_gateway_rest_api.api.id, url = "${aws_api_gateway_stage.stage.invoke_url}/v1/process" }
}

output "kms" {
  value = { key_id = aws_kms_key.data.key_id, arn = aws_kms_key.data.arn }
}

output "writer" {
  value = { id = aws_instance.writer.id, ip = aws_instance.writer.public_ip }
}
