# The TAP architecture written with count: buckets and their companions indexed
# by count.index, every policy an aws_iam_policy_document, the key in a child
# module instantiated in two regions through provider aliases, the Lambda role
# made of an AWS managed policy and a customer managed one attached by count,
# the function packed from an archive_file `source` block, and the proof
# instance's script passed base64-encoded.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    archive = {
      source = "hashicorp/archive"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias  = "dr"
  region = "us-west-2"
}

variable "prefix" {
  type    = string
  default = "cnt"
}

data "aws_caller_identity" "me" {}

locals {
  bucket_roles    = ["inbox", "outbox"]
  function_name   = "${var.prefix}-ingest"
  basic_execution = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

module "key" {
  source = "./modules/key"
  alias  = var.prefix
}

module "dr_key" {
  source    = "./modules/key"
  alias     = "${var.prefix}-dr"
  providers = { aws = aws.dr }
}

# ---------------------------------------------------------------- buckets

resource "aws_s3_bucket" "store" {
  count         = length(local.bucket_roles)
  bucket        = "${var.prefix}-${local.bucket_roles[count.index]}-${data.aws_caller_identity.me.account_id}"
  force_destroy = true
}

resource "aws_s3_bucket_versioning" "store" {
  count  = length(aws_s3_bucket.store)
  bucket = aws_s3_bucket.store[count.index].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "store" {
  count  = length(aws_s3_bucket.store)
  bucket = aws_s3_bucket.store[count.index].bucket
  rule {
    bucket_key_enabled = true
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = module.key.arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "store" {
  count                   = length(aws_s3_bucket.store)
  bucket                  = aws_s3_bucket.store[count.index].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "tls_only" {
  count = length(aws_s3_bucket.store)
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.store[count.index].arn, "${aws_s3_bucket.store[count.index].arn}/*"]
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

resource "aws_s3_bucket_policy" "store" {
  count      = length(aws_s3_bucket.store)
  bucket     = aws_s3_bucket.store[count.index].id
  policy     = data.aws_iam_policy_document.tls_only[count.index].json
  depends_on = [aws_s3_bucket_public_access_block.store]
}

# ---------------------------------------------------------------- table

resource "aws_dynamodb_table" "records" {
  name         = "${var.prefix}-records"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = module.key.arn
  }
  point_in_time_recovery {
    enabled = true
  }
}

# ---------------------------------------------------------------- function

data "archive_file" "ingest" {
  type        = "zip"
  output_path = "${path.module}/.build/ingest.zip"
  source {
    content  = file("${path.module}/lambda/handler.py")
    filename = "handler.py"
  }
}

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ingest" {
  name               = "${var.prefix}-ingest"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
}

data "aws_iam_policy_document" "records_write" {
  statement {
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.records.arn]
  }
  statement {
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.key.arn]
  }
}

resource "aws_iam_policy" "records_write" {
  name   = "${var.prefix}-records-write"
  policy = data.aws_iam_policy_document.records_write.json
}

locals {
  ingest_policies = [local.basic_execution, aws_iam_policy.records_write.arn]
}

resource "aws_iam_role_policy_attachment" "ingest" {
  count      = length(local.ingest_policies)
  role       = aws_iam_role.ingest.name
  policy_arn = local.ingest_policies[count.index]
}

resource "aws_cloudwatch_log_group" "ingest" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = 7
  kms_key_id        = module.key.arn
}

# Lambda's logs replicated to the recovery region, encrypted with that region's key.
resource "aws_cloudwatch_log_group" "ingest_dr" {
  provider          = aws.dr
  name              = "/aws/lambda/${local.function_name}-dr"
  retention_in_days = 7
  kms_key_id        = module.dr_key.arn
}

resource "aws_lambda_function" "ingest" {
  function_name    = local.function_name
  role             = aws_iam_role.ingest.arn
  runtime          = "python3.12"
  handler          = "handler.handler"
  filename         = data.archive_file.ingest.output_path
  source_code_hash = data.archive_file.ingest.output_base64sha256
  kms_key_arn      = module.key.arn
  environment {
    variables = { TABLE_NAME = aws_dynamodb_table.records.name }
  }
  depends_on = [aws_cloudwatch_log_group.ingest, aws_iam_role_policy_attachment.ingest]
}

resource "aws_lambda_permission" "from_inbox" {
  statement_id  = "AllowInbox"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.ingest.arn
  principal     = "s3.amazonaws.com"
  source_arn    = aws_s3_bucket.store[0].arn
}

resource "aws_s3_bucket_notification" "inbox" {
  bucket = aws_s3_bucket.store[0].id
  lambda_function {
    lambda_function_arn = aws_lambda_function.ingest.arn
    events              = ["s3:ObjectCreated:*"]
  }
  depends_on = [aws_lambda_permission.from_inbox]
}

# ---------------------------------------------------------------- API

resource "aws_api_gateway_rest_api" "front" {
  name = "${var.prefix}-front"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_resource" "process" {
  rest_api_id = aws_api_gateway_rest_api.front.id
  parent_id   = aws_api_gateway_rest_api.front.root_resource_id
  path_part   = "process"
}

resource "aws_api_gateway_method" "process_post" {
  rest_api_id   = aws_api_gateway_rest_api.front.id
  resource_id   = aws_api_gateway_resource.process.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "process_post" {
  rest_api_id             = aws_api_gateway_rest_api.front.id
  resource_id             = aws_api_gateway_resource.process.id
  http_method             = aws_api_gateway_method.process_post.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.ingest.invoke_arn
}

resource "aws_lambda_permission" "from_api" {
  statement_id  = "AllowApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.ingest.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.front.execution_arn}/*/*"
}

resource "aws_api_gateway_deployment" "front" {
  rest_api_id = aws_api_gateway_rest_api.front.id
  triggers = {
    redeploy = sha1(jsonencode([aws_api_gateway_integration.process_post.id, aws_api_gateway_method.process_post.id]))
  }
  depends_on = [aws_api_gateway_integration.process_post]
  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "apigw_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "apigw_logs" {
  name               = "${var.prefix}-apigw-logs"
  assume_role_policy = data.aws_iam_policy_document.apigw_trust.json
}

resource "aws_iam_role_policy_attachment" "apigw_logs" {
  role       = aws_iam_role.apigw_logs.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.apigw_logs.arn
  depends_on          = [aws_iam_role_policy_attachment.apigw_logs]
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.prefix}-front"
  retention_in_days = 30
  kms_key_id        = module.key.arn
}

resource "aws_api_gateway_stage" "v1" {
  rest_api_id   = aws_api_gateway_rest_api.front.id
  deployment_id = aws_api_gateway_deployment.front.id
  stage_name    = "v1"
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = "{\"requestId\":\"$context.requestId\",\"status\":\"$context.status\"}"
  }
  depends_on = [aws_api_gateway_account.this]
}

# ---------------------------------------------------------------- proof

data "aws_iam_policy_document" "ec2_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "prover" {
  name               = "${var.prefix}-prover"
  assume_role_policy = data.aws_iam_policy_document.ec2_trust.json
}

data "aws_iam_policy_document" "prover" {
  statement {
    sid       = "WriteProof"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.store[1].arn}/proof/*"]
  }
  statement {
    sid       = "UseKey"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = [module.key.arn]
  }
}

resource "aws_iam_role_policy" "prover" {
  name   = "proof"
  role   = aws_iam_role.prover.name
  policy = data.aws_iam_policy_document.prover.json
}

resource "aws_iam_instance_profile" "prover" {
  name = "${var.prefix}-prover"
  role = aws_iam_role.prover.name
}

resource "aws_instance" "prover" {
  count                = 1
  ami                  = "ami-0c02fb55956c7d316"
  instance_type        = "t3.nano"
  iam_instance_profile = aws_iam_instance_profile.prover.name
  user_data_base64 = base64encode(templatefile("${path.module}/scripts/proof.sh.tftpl", {
    bucket  = aws_s3_bucket.store[1].bucket
    key_arn = module.key.arn
  }))
  depends_on = [aws_iam_role_policy.prover]
}

# ---------------------------------------------------------------- outputs

output "stack" {
  value = var.prefix
}

output "buckets" {
  value = [for b in aws_s3_bucket.store : { name = b.bucket, arn = b.arn }]
}

output "table" {
  value = { name = aws_dynamodb_table.records.name, arn = aws_dynamodb_table.records.arn }
}

output "function" {
  value = { name = aws_lambda_function.ingest.function_name, arn = aws_lambda_function.ingest.arn }
}

output "api" {
  value = { id = aws_api_gateway_rest_api.front.id, url = "${aws_api_gateway_stage.v1.invoke_url}/process" }
}

output "keys" {
  value = { primary = module.key.arn, primary_id = module.key.id, dr = module.dr_key.arn }
}

output "prover" {
  value = { ids = aws_instance.prover[*].id, ips = aws_instance.prover[*].public_ip }
}
