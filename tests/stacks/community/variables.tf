variable "environment" {
  description = "Name of the environment; part of every resource name."
  type        = string
  default     = "qa"
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "log_retention_days" {
  type    = number
  default = 30
}
