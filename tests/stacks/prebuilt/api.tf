resource "aws_api_gateway_rest_api" "ledger" {
  name = "${local.prefix}-ledger"
}

resource "aws_api_gateway_resource" "process" {
  rest_api_id = aws_api_gateway_rest_api.ledger.id
  parent_id   = aws_api_gateway_rest_api.ledger.root_resource_id
  path_part   = "process"
}

resource "aws_api_gateway_method" "process_post" {
  rest_api_id   = aws_api_gateway_rest_api.ledger.id
  resource_id   = aws_api_gateway_resource.process.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "process_post" {
  rest_api_id             = aws_api_gateway_rest_api.ledger.id
  resource_id             = aws_api_gateway_resource.process.id
  http_method             = aws_api_gateway_method.process_post.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.ledger.invoke_arn
}

resource "aws_lambda_permission" "api" {
  statement_id  = "FromApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.ledger.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.ledger.execution_arn}/*/POST/process"
}

resource "aws_api_gateway_deployment" "ledger" {
  rest_api_id = aws_api_gateway_rest_api.ledger.id
  triggers = {
    redeployment = sha1(jsonencode([aws_api_gateway_method.process_post.id, aws_api_gateway_integration.process_post.id]))
  }
  lifecycle {
    create_before_destroy = true
  }
  depends_on = [aws_api_gateway_integration.process_post]
}

resource "aws_iam_role" "api_logs" {
  name = "${local.prefix}-api-logs"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "apigateway.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "api_logs" {
  role       = aws_iam_role.api_logs.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.api_logs.arn
  depends_on          = [aws_iam_role_policy_attachment.api_logs]
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/apigateway/${local.prefix}-ledger"
  retention_in_days = 60
  kms_key_id        = aws_kms_key.main.arn
  depends_on        = [aws_kms_key_policy.main]
}

resource "aws_api_gateway_stage" "live" {
  rest_api_id   = aws_api_gateway_rest_api.ledger.id
  deployment_id = aws_api_gateway_deployment.ledger.id
  stage_name    = "live"
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format          = "$context.requestId $context.status $context.integrationErrorMessage"
  }
  depends_on = [aws_api_gateway_account.this]
}
