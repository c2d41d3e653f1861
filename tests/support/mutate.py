"""A mutation: an edit of the stack's HCL (and handler) that re-introduces an incident."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mutation:
    """One way of re-introducing an incident; its plans are written by Terraform from the edit."""

    id: str
    rule: str
    description: str
    hcl: tuple[tuple[str, str], ...]
    fails: dict[str, frozenset[str]]
    handler: tuple[tuple[str, str], ...] = field(default=())

    def source(self, text: str) -> str:
        for old, new in self.hcl:
            assert old in text, f"{self.id}: {old!r} not in tap_stack.tf"
            text = text.replace(old, new, 1)
        return text

    def handler_source(self, text: str) -> str:
        for old, new in self.handler:
            assert old in text, f"{self.id}: {old!r} not in lambda/index.py"
            text = text.replace(old, new, 1)
        return text


def fails(**rules: list[str]) -> dict[str, frozenset[str]]:
    return {rule: frozenset(addresses) for rule, addresses in rules.items()}
