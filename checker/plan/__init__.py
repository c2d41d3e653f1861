"""Loading `terraform show -json` plans and the normalised model rules query."""
