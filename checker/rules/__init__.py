"""The rule catalogue: one module per rule, listed in `registry.RULE_MODULES`."""
