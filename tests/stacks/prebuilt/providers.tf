# The TAP architecture as a team with a separate build writes it: the release
# pipeline zips src/ into dist/worker.zip, Terraform uploads that zip as an
# aws_s3_object to the organisation's artifact bucket (versioned, owned by the
# platform team's stack), and the function is deployed
# from the object's version (s3_bucket/s3_key/s3_object_version), its hash
# taken from the file. The stack is split into one file per concern.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "env" {
  type    = string
  default = "stg"
}

variable "artifact_bucket" {
  description = "The organisation's versioned artifact bucket (another stack's)."
  type        = string
  default     = "org-release-artifacts"
}

data "aws_caller_identity" "current" {}

locals {
  prefix   = "prebuilt-${var.env}"
  account  = data.aws_caller_identity.current.account_id
  region   = "us-east-1"
  package  = "${path.module}/dist/worker.zip"
  function = "${local.prefix}-ledger"
}
