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


def test_the_gate_comment_carries_the_fix_as_a_folded_diff(tmp_path: Path) -> None:
    """`checker ci gate`: the pull-request comment (report.md) ends with the edits
    `checker fix` would make, in a folded block; the verdict is the check's."""
    from typer.testing import CliRunner

    from checker.cli import app

    mutation = next(m for m in MUTATIONS if m.id == "tap010-pitr-disabled")
    plan, _ = fixes_of(mutation, tmp_path / "stack")
    out = tmp_path / "out"
    args = ["--plans", str(plan), "--args", f"--source {tmp_path / 'stack'}", "--out", str(out)]
    result = CliRunner().invoke(app, ["ci", "gate", *args])
    assert result.exit_code == 1, result.output
    comment = (out / "report.md").read_text()
    block = comment[comment.index("<details><summary>checker fix") :]
    assert "```diff\n" in block
    assert "-    enabled = false # incident 10\n+    enabled = true # incident 10\n" in block
    assert "to write it\\)" in comment  # the table says the finding has an edit
    assert (tmp_path / "stack" / "tap_stack.tf").read_text() == (
        __import__("tests.terraform.fixtures", fromlist=["x"]).mutation_inputs(mutation.id).tf
    )  # the gate never writes
