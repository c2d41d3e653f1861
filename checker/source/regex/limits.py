"""The bounds of a regular-expression evaluation, and the refusal that says why one was not
evaluated (see the package docstring).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PATTERN = 4096  # characters of a regular expression
MAX_DEPTH = 100  # nested groups
MAX_RUNE = 0x10FFFF
CALL_WORK = 20_000_000  # work units (about a nanosecond each) of one call
TOTAL_WORK = 200_000_000  # of one evaluation, all calls together
MATCH_COST = 3_000  # units one match costs in the replacement loop
CAP = 10**18  # products of counts are cut here (already far over any budget)

Ranges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Refused:
    """Why `replace()` was not evaluated; `terraform_fails` when RE2 rejects the pattern."""

    reason: str
    terraform_fails: bool = False

    def note(self) -> str:
        if self.terraform_fails:
            return (
                f"replace() with a regular expression RE2 rejects ({self.reason}): "
                "Terraform fails on it, so its value is unknown"
            )
        return f"replace() with a regular expression was not evaluated ({self.reason})"


@dataclass
class RegexBudget:
    """Work left for one evaluation (see the package docstring)."""

    remaining: int = TOTAL_WORK

    def allowance(self) -> int:
        """What one call may use."""
        return min(CALL_WORK, self.remaining)


class Reject(Exception):
    def __init__(self, reason: str, terraform_fails: bool) -> None:
        super().__init__(reason)
        self.refused = Refused(reason, terraform_fails)


def go_error(reason: str) -> Reject:
    """A pattern Go's parser rejects (`error parsing regexp: ...`)."""
    return Reject(reason, True)


def untranslated(reason: str) -> Reject:
    """A valid RE2 pattern this evaluator does not translate."""
    return Reject(reason, False)
