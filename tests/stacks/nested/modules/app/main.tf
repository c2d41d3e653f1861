variable "name" {
  type = string
}

variable "with_proof" {
  type = bool
}

variable "log_days" {
  type = number
}

variable "proof_shape" {
  type = string
}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  account = data.aws_caller_identity.current.account_id
  region  = data.aws_region.current.name
}

resource "aws_kms_key" "this" {
  description         = format("%s data key", var.name)
  enable_key_rotation = true
}

data "aws_iam_policy_document" "key" {
  statement {
    sid       = "Root"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [format("arn:aws:iam::%s:root", local.account)]
    }
  }
  dynamic "statement" {
    for_each = {
      Logs   = format("logs.%s.amazonaws.com", local.region)
      Lambda = "lambda.amazonaws.com"
    }
    content {
      sid       = statement.key
      actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = [statement.value]
      }
    }
  }
  statement {
    sid       = "LambdaGrant"
    actions   = ["kms:CreateGrant"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [format("lambda.%s.amazonaws.com", local.region)]
    }
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }
}

resource "aws_kms_key_policy" "this" {
  key_id = aws_kms_key.this.id
  policy = data.aws_iam_policy_document.key.json
}

module "storage" {
  source  = "../storage"
  name    = var.name
  account = local.account
  key_arn = aws_kms_key.this.arn
}

module "service" {
  source      = "../service"
  name        = var.name
  account     = local.account
  key_arn     = aws_kms_key.this.arn
  bucket      = module.storage.bucket
  table       = module.storage.table
  log_days    = var.log_days
  with_proof  = var.with_proof
  proof_shape = var.proof_shape
  depends_on  = [aws_kms_key_policy.this]
}

output "summary" {
  value = {
    stack    = var.name
    bucket   = module.storage.bucket
    table    = module.storage.table
    function = module.service.function
    api      = module.service.api
    key      = { id = aws_kms_key.this.key_id, arn = aws_kms_key.this.arn }
    proof    = module.service.proof
  }
}
