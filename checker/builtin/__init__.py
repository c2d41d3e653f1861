"""The built-in pack: the TAP rules, one module each, reading the model through `checker.api`."""
