# TAP stack: S3 uploads and API Gateway POST /process invoke one Lambda that
# writes to DynamoDB; everything is encrypted with one customer-managed KMS key;
# an EC2 instance proves that KMS-encrypted writes work.
#
# "Incident N" comments point at ../shared/seeds/000_dd5df331be740de9.txt and at
# rule TAP0NN of the checker, which asserts the fix.

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.6"
    }
  }
}

variable "aws_region" {
  description = "AWS region of the whole stack."
  type        = string
  default     = "us-east-1"
}

variable "environment_suffix" {
  description = "Suffix that keeps the names of several environments apart."
  type        = string
  default     = "dev"
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default = {
    Project   = "tap"
    ManagedBy = "terraform"
  }
}

provider "aws" {
  region = var.aws_region
  default_tags {
    tags = var.tags
  }
}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_ami" "amazon_linux" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-x86_64"]
  }
}

locals {
  stack_name    = "tap-${var.environment_suffix}"
  function_name = "tap-processor-${var.environment_suffix}"
  account_id    = data.aws_caller_identity.current.account_id
  region        = data.aws_region.current.name
}

# ---------------------------------------------------------------- KMS (incident 3)

data "aws_iam_policy_document" "kms" {
  statement {
    sid       = "AccountRootAdministers"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account_id}:root"]
    }
  }

  # Incident 3 and 8: CloudWatch Logs of this region encrypts the log groups.
  statement {
    sid       = "CloudWatchLogsUseKey"
    effect    = "Allow"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${local.region}:${local.account_id}:*"]
    }
  }

  statement {
    sid       = "LambdaUseKey"
    effect    = "Allow"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }

  # Incident 3: Lambda creates grants only through itself, only for AWS resources.
  statement {
    sid       = "LambdaCreateGrantViaService"
    effect    = "Allow"
    actions   = ["kms:CreateGrant"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["lambda.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }
}

resource "aws_kms_key" "main" {
  description             = "CMK for the ${local.stack_name} stack"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.stack_name}"
  target_key_id = aws_kms_key.main.key_id
}

# ------------------------------------------------------------- S3 (incidents 4, 5, 11)

resource "aws_s3_bucket" "content" {
  bucket        = "${local.stack_name}-content-${local.account_id}"
  force_destroy = true # incident 11: versioned buckets must stay destroyable in CI
}

resource "aws_s3_bucket" "logs" {
  bucket        = "${local.stack_name}-logs-${local.account_id}"
  force_destroy = true # incident 11
}

# Incident 5: encryption, versioning and the public-access block are resources
# of their own, never blocks inside aws_s3_bucket.
resource "aws_s3_bucket_server_side_encryption_configuration" "content" {
  bucket = aws_s3_bucket.content.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "content" {
  bucket = aws_s3_bucket.content.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "content" {
  bucket                  = aws_s3_bucket.content.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# Incident 4: deny plain HTTP to everybody, and nothing else: no statement
# without the SecureTransport condition, so the stack's own roles are never denied.
data "aws_iam_policy_document" "content_bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.content.arn, "${aws_s3_bucket.content.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

data "aws_iam_policy_document" "logs_bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "content" {
  bucket     = aws_s3_bucket.content.id
  policy     = data.aws_iam_policy_document.content_bucket.json
  depends_on = [aws_s3_bucket_public_access_block.content]
}

resource "aws_s3_bucket_policy" "logs" {
  bucket     = aws_s3_bucket.logs.id
  policy     = data.aws_iam_policy_document.logs_bucket.json
  depends_on = [aws_s3_bucket_public_access_block.logs]
}

# ------------------------------------------------------------ DynamoDB (incident 10)

resource "aws_dynamodb_table" "main" {
  name         = "${local.stack_name}-records"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true # incident 10
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.main.arn
  }
}

# -------------------------------------------------------------- Lambda (incidents 2, 6, 8)

# Incident 6: only the inlined handler source, to a fixed path: a stable hash.
data "archive_file" "lambda" {
  type        = "zip"
  output_path = "${path.module}/build/lambda.zip"
  source {
    content  = file("${path.module}/lambda/index.py")
    filename = "index.py"
  }
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lambda" {
  name               = "${local.function_name}-role"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

# Incident 2: exactly the DynamoDB actions of the handler's superset, on this table only.
data "aws_iam_policy_document" "lambda" {
  statement {
    sid    = "TableReadWrite"
    effect = "Allow"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
      "dynamodb:Scan",
    ]
    resources = [aws_dynamodb_table.main.arn, "${aws_dynamodb_table.main.arn}/index/*"]
  }

  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda.arn}:*"]
  }

  statement {
    sid       = "UseStackKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = [aws_kms_key.main.arn]
  }
}

resource "aws_iam_role_policy" "lambda" {
  name   = "${local.function_name}-policy"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.lambda.json
}

# Incident 8: the log group exists, encrypted and with retention, before the function writes.
resource "aws_cloudwatch_log_group" "lambda" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = 14
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_lambda_function" "processor" {
  function_name    = local.function_name
  role             = aws_iam_role.lambda.arn
  handler          = "index.handler"
  runtime          = "python3.12"
  timeout          = 30
  memory_size      = 256
  filename         = data.archive_file.lambda.output_path
  source_code_hash = data.archive_file.lambda.output_base64sha256
  kms_key_arn      = aws_kms_key.main.arn

  environment {
    variables = {
      TABLE_NAME = aws_dynamodb_table.main.name
    }
  }

  depends_on = [aws_cloudwatch_log_group.lambda, aws_iam_role_policy.lambda]
}

# ------------------------------------------------------- S3 -> Lambda (incidents 1, 9, 13)

resource "aws_lambda_permission" "s3" {
  statement_id   = "AllowContentBucketInvoke"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.processor.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.content.arn
  source_account = local.account_id
}

# Incident 9: S3 keeps one notification configuration per bucket; every Lambda
# trigger of the content bucket belongs in this one resource.
resource "aws_s3_bucket_notification" "content" {
  bucket = aws_s3_bucket.content.id

  lambda_function {
    lambda_function_arn = aws_lambda_function.processor.arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = "uploads/"
  }

  depends_on = [aws_lambda_permission.s3] # incidents 1 and 13
}

# -------------------------------------------------- API Gateway (incidents 7, 13, 14)

resource "aws_api_gateway_rest_api" "main" {
  name = "${local.stack_name}-api"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_resource" "process" {
  rest_api_id = aws_api_gateway_rest_api.main.id
  parent_id   = aws_api_gateway_rest_api.main.root_resource_id
  path_part   = "process"
}

resource "aws_api_gateway_method" "process_post" {
  rest_api_id   = aws_api_gateway_rest_api.main.id
  resource_id   = aws_api_gateway_resource.process.id
  http_method   = "POST"
  authorization = "NONE"
}

# Incident 7: proxy integration; the handler answers with proxy responses.
resource "aws_api_gateway_integration" "process_post" {
  rest_api_id             = aws_api_gateway_rest_api.main.id
  resource_id             = aws_api_gateway_resource.process.id
  http_method             = aws_api_gateway_method.process_post.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.processor.invoke_arn
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.processor.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.main.execution_arn}/*/POST/process"
}

resource "aws_api_gateway_deployment" "main" {
  rest_api_id = aws_api_gateway_rest_api.main.id

  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.process.id,
      aws_api_gateway_method.process_post.id,
      aws_api_gateway_integration.process_post.id,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_api_gateway_integration.process_post] # incident 13
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/apigateway/${local.stack_name}-api"
  retention_in_days = 14
  kms_key_id        = aws_kms_key.main.arn
}

data "aws_iam_policy_document" "apigateway_assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

# Incident 14: the account-level role that lets API Gateway push to CloudWatch Logs.
resource "aws_iam_role" "apigateway_cloudwatch" {
  name               = "${local.stack_name}-apigw-cloudwatch"
  assume_role_policy = data.aws_iam_policy_document.apigateway_assume.json
}

resource "aws_iam_role_policy_attachment" "apigateway_cloudwatch" {
  role       = aws_iam_role.apigateway_cloudwatch.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "main" {
  cloudwatch_role_arn = aws_iam_role.apigateway_cloudwatch.arn
  depends_on          = [aws_iam_role_policy_attachment.apigateway_cloudwatch]
}

resource "aws_api_gateway_stage" "main" {
  rest_api_id   = aws_api_gateway_rest_api.main.id
  deployment_id = aws_api_gateway_deployment.main.id
  stage_name    = "v1"

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      sourceIp       = "$context.identity.sourceIp"
      httpMethod     = "$context.httpMethod"
      resourcePath   = "$context.resourcePath"
      status         = "$context.status"
      responseLength = "$context.responseLength"
    })
  }

  depends_on = [aws_api_gateway_account.main] # incidents 13 and 14
}

# ------------------------------------------------------------ EC2 proof (incident 12)

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "proof" {
  name               = "${local.stack_name}-proof"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

data "aws_iam_policy_document" "proof" {
  statement {
    sid       = "WriteProofObjects"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.content.arn}/*"]
  }

  statement {
    sid       = "EncryptWithStackKey"
    effect    = "Allow"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = [aws_kms_key.main.arn]
  }
}

resource "aws_iam_role_policy" "proof" {
  name   = "${local.stack_name}-proof-policy"
  role   = aws_iam_role.proof.id
  policy = data.aws_iam_policy_document.proof.json
}

resource "aws_iam_instance_profile" "proof" {
  name = "${local.stack_name}-proof"
  role = aws_iam_role.proof.name
}

resource "aws_instance" "proof" {
  ami                         = data.aws_ami.amazon_linux.id
  instance_type               = "t3.micro"
  iam_instance_profile        = aws_iam_instance_profile.proof.name
  associate_public_ip_address = true

  metadata_options {
    http_tokens = "required"
  }

  # Incident 12: try the plain copy, then fall back to put-object with explicit SSE-KMS.
  user_data = <<-EOT
    #!/bin/bash
    set -u
    echo "proof from $(hostname) at $(date -u +%FT%TZ)" > /tmp/proof.txt
    aws s3 cp /tmp/proof.txt "s3://${aws_s3_bucket.content.bucket}/uploads/proof.txt" --region ${local.region} \
      || aws s3api put-object --bucket "${aws_s3_bucket.content.bucket}" --key uploads/proof.txt \
           --body /tmp/proof.txt --server-side-encryption aws:kms \
           --ssekms-key-id "${aws_kms_alias.main.name}" --region ${local.region}
  EOT

  depends_on = [aws_iam_role_policy.proof]
}

# ------------------------------------------------------------------ outputs (incident 15)

output "environment_suffix" {
  value = var.environment_suffix
}

output "stack_name" {
  value = local.stack_name
}

output "content_bucket_name" {
  value = aws_s3_bucket.content.bucket
}

output "content_bucket_arn" {
  value = aws_s3_bucket.content.arn
}

output "logs_bucket_name" {
  value = aws_s3_bucket.logs.bucket
}

output "dynamodb_table_name" {
  value = aws_dynamodb_table.main.name
}

output "dynamodb_table_arn" {
  value = aws_dynamodb_table.main.arn
}

output "lambda_function_name" {
  value = aws_lambda_function.processor.function_name
}

output "lambda_function_arn" {
  value = aws_lambda_function.processor.arn
}

output "api_id" {
  value = aws_api_gateway_rest_api.main.id
}

output "api_url" {
  value = "${aws_api_gateway_stage.main.invoke_url}/process"
}

output "kms_key_id" {
  value = aws_kms_key.main.key_id
}

output "kms_key_arn" {
  value = aws_kms_key.main.arn
}

output "ec2_instance_id" {
  value = aws_instance.proof.id
}

output "ec2_public_ip" {
  value = aws_instance.proof.public_ip
}
