# The package is built outside Terraform (src/ -> dist/worker.zip by the release
# pipeline) and uploaded by this stack as an object of the organisation's
# versioned artifact bucket; a new zip is a new object version.
resource "aws_s3_object" "package" {
  bucket      = var.artifact_bucket
  key         = "ledger/${var.env}/worker.zip"
  source      = local.package
  source_hash = filemd5(local.package)
}

resource "aws_iam_role" "ledger" {
  name = local.function
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_policy" "ledger" {
  name = "${local.function}-ledger"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Ledger"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
        Resource = aws_dynamodb_table.ledger.arn
      },
      {
        Sid      = "Key"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = aws_kms_key.main.arn
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "ledger" {
  role       = aws_iam_role.ledger.name
  policy_arn = aws_iam_policy.ledger.arn
}

resource "aws_iam_role_policy_attachment" "ledger_logs" {
  role       = aws_iam_role.ledger.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_cloudwatch_log_group" "ledger" {
  name              = "/aws/lambda/${local.function}"
  retention_in_days = 60
  kms_key_id        = aws_kms_key.main.arn
  depends_on        = [aws_kms_key_policy.main]
}

resource "aws_lambda_function" "ledger" {
  function_name     = local.function
  role              = aws_iam_role.ledger.arn
  runtime           = "python3.12"
  handler           = "app.handler"
  s3_bucket         = aws_s3_object.package.bucket
  s3_key            = aws_s3_object.package.key
  s3_object_version = aws_s3_object.package.version_id
  source_code_hash  = filebase64sha256(local.package)
  kms_key_arn       = aws_kms_key.main.arn

  environment {
    variables = { LEDGER_TABLE = aws_dynamodb_table.ledger.name }
  }

  depends_on = [aws_cloudwatch_log_group.ledger, aws_iam_role_policy_attachment.ledger]
}

resource "aws_lambda_permission" "landing" {
  statement_id   = "FromLanding"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.ledger.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.landing.arn
  source_account = local.account
}

resource "aws_s3_bucket_notification" "landing" {
  bucket = aws_s3_bucket.landing.id
  lambda_function {
    lambda_function_arn = aws_lambda_function.ledger.arn
    events              = ["s3:ObjectCreated:*"]
  }
  depends_on = [aws_lambda_permission.landing]
}
