"""Engines turn one input into findings: native rules here, checkov and terraform-compliance beside."""
