# ------------------------------------------------------------------ outputs (incident 15)

output "environment" {
  value = var.environment
}

output "uploads_bucket" {
  value = { name = local.uploads_name, arn = local.uploads_arn }
}

output "audit_bucket_name" {
  value = module.audit.s3_bucket_id
}

output "events_table" {
  value = { name = local.table_name, arn = local.table_arn }
}

output "function_name" {
  value = aws_lambda_function.ingest.function_name
}

output "function_arn" {
  value = aws_lambda_function.ingest.arn
}

output "api_id" {
  value = aws_api_gateway_rest_api.events.id
}

output "api_url" {
  value = "${aws_api_gateway_stage.live.invoke_url}/process"
}

output "kms_key_id" {
  value = module.kms.key_id
}

output "kms_key_arn" {
  value = local.key_arn
}

output "proof_instance" {
  value = { id = aws_instance.proof.id, public_ip = aws_instance.proof.public_ip }
}
