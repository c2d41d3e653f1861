"""The rule library: the base types, the registry, the joins rules share and the catalogue;
the built-in rules themselves are `checker.builtin` (`registry.builtin_modules`)."""
