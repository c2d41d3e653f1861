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


def test_a_missing_companion_is_written_like_its_repeated_bucket(tmp_path: Path) -> None:
    """A `for_each` bucket's and a counted bucket's public-access block removed: the fix
    writes back exactly the block the stack's author wrote (repeated like the bucket, named
    like it, aligned as `terraform fmt` aligns), and the static check passes TAP005."""
    import re

    from checker.config import CheckerConfig
    from checker.fix.command import find_fixes
    from checker.run import CheckOptions, check_inputs
    from tests.stacks.corpus import CORPUS

    for name in ("chains", "counted"):
        stack = next(s for s in CORPUS if s.name == name)
        folder = stack.write(tmp_path / name)
        text = (folder / "main.tf").read_text()
        found = re.search(
            r'resource "aws_s3_bucket_public_access_block" "\w+" \{.*?\n\}\n', text, re.S
        )
        assert found is not None
        (folder / "main.tf").write_text(text.replace(found.group(0), "", 1))
        run = find_fixes([str(folder)], None, CheckerConfig(), {"TAP005"})
        assert run.fixed and not run.unfixable and not run.manual
        run.write()
        assert found.group(0).rstrip() in (folder / "main.tf").read_text()
        report = check_inputs([str(folder)], CheckOptions(), CheckerConfig())
        assert [
            f.address for f in report.findings if f.rule_id == "TAP005" and f.status == "failed"
        ] == []
