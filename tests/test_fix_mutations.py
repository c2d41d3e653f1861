"""Which mutations `checker fix` settles, asked of every mutation of the canonical stack: the
ones fully fixed are exactly `FIXABLE` (round-tripped through Terraform in
`tests/terraform/test_fix_roundtrip.py`); the others keep their files and name a reason
for each failure left."""

from __future__ import annotations

from pathlib import Path

from tests.mutations import MUTATIONS
from tests.terraform.test_fix_roundtrip import FIXABLE, fixes_of


def test_the_fixable_mutations_are_exactly_those_with_edits(tmp_path: Path) -> None:
    """Which mutations `checker fix` settles is the rules' say, not this list's: every
    mutation is asked, and the ones fully fixed are the list below; the others keep their
    files and name a reason for each failure."""
    fixed: list[str] = []
    for mutation in MUTATIONS:
        folder = tmp_path / mutation.id
        _, found = fixes_of(mutation, folder)
        failed = {(f.rule_id, f.address) for f in found.fixed}  # type: ignore[attr-defined]
        left = found.unfixable + [(f, f.fix) for f in found.manual]  # type: ignore[attr-defined]
        if failed and not left:
            fixed.append(mutation.id)
            continue
        for finding, why in left:
            assert why, finding
        assert all(old == new for old, new in found.files.values()) or failed, mutation.id  # type: ignore[attr-defined]
    assert fixed == FIXABLE
