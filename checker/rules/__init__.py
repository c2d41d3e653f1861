"""The rule catalogue: one `tapNNN_*` module per rule (`registry.builtin_modules`)."""
