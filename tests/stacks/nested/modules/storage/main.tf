variable "name" {
  type = string
}

variable "account" {
  type = string
}

variable "key_arn" {
  type = string
}

resource "aws_s3_bucket" "drop" {
  bucket        = format("%s-drop-%s", var.name, var.account)
  force_destroy = true
}

resource "aws_s3_bucket_ownership_controls" "drop" {
  bucket = aws_s3_bucket.drop.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "drop" {
  bucket = aws_s3_bucket.drop.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "drop" {
  bucket = aws_s3_bucket.drop.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "drop" {
  bucket                  = aws_s3_bucket.drop.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "drop" {
  statement {
    sid     = "SecureTransportOnly"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.drop.arn,
      "${aws_s3_bucket.drop.arn}/*",
    ]
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

resource "aws_s3_bucket_policy" "drop" {
  bucket     = aws_s3_bucket.drop.id
  policy     = data.aws_iam_policy_document.drop.json
  depends_on = [aws_s3_bucket_public_access_block.drop]
}

resource "aws_dynamodb_table" "seen" {
  name         = format("%s-seen", var.name)
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
}

output "bucket" {
  value = { id = aws_s3_bucket.drop.id, arn = aws_s3_bucket.drop.arn }
}

output "table" {
  value = { name = aws_dynamodb_table.seen.name, arn = aws_dynamodb_table.seen.arn }
}
