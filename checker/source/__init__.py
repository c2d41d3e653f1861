"""Reading Terraform HCL sources for values a plan hides."""
