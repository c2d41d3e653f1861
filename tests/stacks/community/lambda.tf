# -------------------------------------------------------- Lambda (incidents 2, 6, 8)

data "archive_file" "ingest" {
  type        = "zip"
  source_file = "${path.module}/functions/ingest/index.py"
  output_path = "${path.module}/build/ingest.zip"
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
  name               = "${local.function}-role"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
}

data "aws_iam_policy_document" "table_access" {
  statement {
    sid       = "Events"
    actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]
    resources = [local.table_arn, "${local.table_arn}/index/*"]
  }
}

data "aws_iam_policy_document" "runtime" {
  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.ingest.arn}:*"]
  }
  statement {
    sid       = "Key"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"]
    resources = [local.key_arn]
  }
}

# one document merged from the parts (source_policy_documents)
data "aws_iam_policy_document" "ingest" {
  source_policy_documents = [
    data.aws_iam_policy_document.table_access.json,
    data.aws_iam_policy_document.runtime.json,
  ]
}

resource "aws_iam_role_policy" "ingest" {
  name   = "ingest"
  role   = aws_iam_role.ingest.id
  policy = data.aws_iam_policy_document.ingest.json
}

resource "aws_cloudwatch_log_group" "ingest" {
  name              = "/aws/lambda/${local.function}"
  retention_in_days = var.log_retention_days
  kms_key_id        = local.key_arn
}

resource "aws_lambda_function" "ingest" {
  function_name    = local.function
  role             = aws_iam_role.ingest.arn
  runtime          = "python3.12"
  handler          = "index.handler"
  filename         = data.archive_file.ingest.output_path
  source_code_hash = data.archive_file.ingest.output_base64sha256
  kms_key_arn      = local.key_arn
  timeout          = 15

  environment {
    variables = {
      EVENTS_TABLE = local.table_name
    }
  }

  depends_on = [aws_cloudwatch_log_group.ingest, aws_iam_role_policy.ingest]
}
