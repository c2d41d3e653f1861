"""TAP checker: asserts the documented fixes of the TAP stack on Terraform plans."""

__version__ = "0.2.0"
