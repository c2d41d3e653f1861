variable "name" {
  type = string
}

variable "account" {
  type = string
}

variable "key_arn" {
  type = string
}

variable "bucket" {
  type = object({ id = string, arn = string })
}

variable "table" {
  type = object({ name = string, arn = string })
}

variable "log_days" {
  type = number
}

variable "with_proof" {
  type = bool
}

variable "proof_shape" {
  type = string
}

locals {
  function = format("%s-processor", var.name)
  logs = {
    function = format("/aws/lambda/%s", local.function)
    access   = format("/aws/apigateway/%s-access", var.name)
  }
}

resource "aws_cloudwatch_log_group" "this" {
  for_each          = local.logs
  name              = each.value
  retention_in_days = var.log_days
  kms_key_id        = var.key_arn
}

# ---------------------------------------------------------------- function

data "archive_file" "processor" {
  type        = "zip"
  source_dir  = "${path.root}/functions/processor"
  excludes    = ["__pycache__", "tests"]
  output_path = "${path.root}/dist/processor.zip"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "processor" {
  name               = local.function
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "processor" {
  dynamic "statement" {
    for_each = {
      table = { actions = ["dynamodb:UpdateItem", "dynamodb:PutItem"], resources = [var.table.arn] }
      logs  = { actions = ["logs:CreateLogStream", "logs:PutLogEvents"], resources = ["${aws_cloudwatch_log_group.this["function"].arn}:*"] }
      key   = { actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [var.key_arn] }
    }
    content {
      sid       = statement.key
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role_policy" "processor" {
  name   = "processor"
  role   = aws_iam_role.processor.id
  policy = data.aws_iam_policy_document.processor.json
}

resource "aws_lambda_function" "processor" {
  function_name    = local.function
  role             = aws_iam_role.processor.arn
  runtime          = "python3.12"
  handler          = "main.handle"
  filename         = data.archive_file.processor.output_path
  source_code_hash = data.archive_file.processor.output_base64sha256
  environment {
    variables = { TABLE = var.table.name }
  }
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.processor]
}

resource "aws_lambda_permission" "bucket" {
  statement_id  = "bucket"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.processor.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = var.bucket.arn
}

resource "aws_s3_bucket_notification" "drop" {
  bucket = var.bucket.id
  dynamic "lambda_function" {
    for_each = toset(["csv", "json"])
    content {
      id                  = lambda_function.value
      lambda_function_arn = aws_lambda_function.processor.arn
      events              = ["s3:ObjectCreated:*"]
      filter_suffix       = ".${lambda_function.value}"
    }
  }
  depends_on = [aws_lambda_permission.bucket]
}

# ---------------------------------------------------------------- API

resource "aws_api_gateway_rest_api" "this" {
  name = format("%s-api", var.name)
}

resource "aws_api_gateway_resource" "process" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "process"
}

resource "aws_api_gateway_method" "process" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = aws_api_gateway_resource.process.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "process" {
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.process.id
  http_method             = aws_api_gateway_method.process.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.processor.invoke_arn
}

resource "aws_lambda_permission" "api" {
  statement_id  = "api"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.processor.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = format("%s/*/%s%s", aws_api_gateway_rest_api.this.execution_arn, aws_api_gateway_method.process.http_method, aws_api_gateway_resource.process.path)
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  depends_on  = [aws_api_gateway_integration.process]
  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "apigw_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "apigw" {
  name               = format("%s-apigw-logs", var.name)
  assume_role_policy = data.aws_iam_policy_document.apigw_assume.json
}

resource "aws_iam_role_policy_attachment" "apigw" {
  role       = aws_iam_role.apigw.id
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.apigw.arn
  depends_on          = [aws_iam_role_policy_attachment.apigw]
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = "live"
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.this["access"].arn
    format          = "$context.requestId $context.httpMethod $context.resourcePath $context.status"
  }
  depends_on = [aws_api_gateway_account.this]
}

# ---------------------------------------------------------------- proof

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "proof" {
  count              = var.with_proof ? 1 : 0
  name               = format("%s-proof", var.name)
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

data "aws_iam_policy_document" "proof" {
  statement {
    actions   = ["s3:PutObject"]
    resources = ["${var.bucket.arn}/proof/*"]
  }
  statement {
    actions   = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = [var.key_arn]
  }
}

resource "aws_iam_role_policy" "proof" {
  count  = var.with_proof ? 1 : 0
  role   = aws_iam_role.proof[0].id
  policy = data.aws_iam_policy_document.proof.json
}

resource "aws_iam_instance_profile" "proof" {
  count = var.with_proof ? 1 : 0
  role  = aws_iam_role.proof[0].name
}

resource "aws_instance" "proof" {
  count                = var.with_proof ? 1 : 0
  ami                  = "ami-0c02fb55956c7d316"
  instance_type        = var.proof_shape
  iam_instance_profile = aws_iam_instance_profile.proof[0].name
  user_data            = <<-SCRIPT
    #!/bin/bash
    echo proof > /tmp/proof
    aws s3api put-object --bucket ${var.bucket.id} --key proof/boot \
      --body /tmp/proof --server-side-encryption aws:kms --ssekms-key-id ${var.key_arn}
  SCRIPT
  depends_on           = [aws_iam_role_policy.proof]
}

output "function" {
  value = { name = aws_lambda_function.processor.function_name, arn = aws_lambda_function.processor.arn }
}

output "api" {
  value = { id = aws_api_gateway_rest_api.this.id, url = "${aws_api_gateway_stage.this.invoke_url}/process" }
}

output "proof" {
  value = [for i in aws_instance.proof : { id = i.id, ip = i.public_ip }]
}
