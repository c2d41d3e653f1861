output "env" {
  value = var.env
}

output "landing_bucket" {
  value = aws_s3_bucket.landing.bucket
}

output "landing_bucket_arn" {
  value = aws_s3_bucket.landing.arn
}

output "ledger_table" {
  value = aws_dynamodb_table.ledger.name
}

output "ledger_table_arn" {
  value = aws_dynamodb_table.ledger.arn
}

output "function_name" {
  value = aws_lambda_function.ledger.function_name
}

output "function_arn" {
  value = aws_lambda_function.ledger.arn
}

output "api_id" {
  value = aws_api_gateway_rest_api.ledger.id
}

output "process_url" {
  value = "${aws_api_gateway_stage.live.invoke_url}/process"
}

output "key_id" {
  value = aws_kms_key.main.key_id
}

output "key_arn" {
  value = aws_kms_key.main.arn
}

output "prover_id" {
  value = aws_instance.prover.id
}

output "prover_public_ip" {
  value = aws_instance.prover.public_ip
}
