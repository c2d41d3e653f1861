# The TAP architecture as nested modules: the root calls one `app` module, which
# calls a `storage` module (bucket, companions, table) and a `service` module
# (function, API, proof instance); everything is wired through module outputs,
# policies and notifications are written with dynamic blocks, the proof instance
# is switched by a conditional count and names are built with format().

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.90"
    }
    archive = {
      source = "hashicorp/archive"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

module "app" {
  source      = "./modules/app"
  name        = "nest"
  with_proof  = true
  log_days    = 14
  proof_shape = "t3.micro"
}

output "app" {
  value = module.app.summary
}
