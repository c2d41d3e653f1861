# The TAP architecture built from the terraform-aws-modules family, vendored
# under modules/ (s3-bucket with its notification submodule, dynamodb-table,
# kms; see each VENDORED.md) and called as local modules; Lambda, IAM, API
# Gateway, log groups and the EC2 proof writer are written by hand. Module
# outputs reach the rest of the stack through locals, as many teams wire them.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.98, < 6.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { Stack = "community", Environment = var.environment }
  }
}
