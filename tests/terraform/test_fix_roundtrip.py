"""`checker fix`, proven on real Terraform: every mutation whose findings the rules give edits
for is fixed, formatted, validated and planned against moto, and the new plan passes.

For each mutation of the canonical stack: its real create plan and mutated sources are
checked; `checker fix --write` edits the sources; then `terraform fmt -check` (when the
mutated file was formatted), `terraform validate`, and a real plan against moto, checked
with the sources: nothing fails. A mutation with failures the rules leave to a person
keeps its files byte for byte, and each such finding says why.
"""

from __future__ import annotations

import difflib
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from checker.fix.command import find_fixes
from checker.results import Status
from checker.run import CheckOptions, check_inputs
from tests.mutations import MUTATIONS
from tests.support.mutate import Mutation
from tests.support.scenario import CONFIG
from tests.terraform.fixtures import REAL, mutation_inputs, read_plan
from tests.terraform.harness import Workspace


def formatted(folder: Path) -> bool:
    done = subprocess.run(
        ["terraform", "fmt", "-check", "-no-color", str(folder / "tap_stack.tf")],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def fixes_of(mutation: Mutation, folder: Path) -> tuple[Path, object]:
    inputs = mutation_inputs(mutation.id)
    inputs.write(folder)
    plan = folder / "plans" / "plan.json"
    plan.parent.mkdir()
    plan.write_text(json.dumps(read_plan(REAL / f"{mutation.id}.create.json.gz")))
    return plan, find_fixes([str(plan)], folder, CONFIG, set())


FIXABLE = [
    "tap001-no-depends-on",
    "tap007-non-proxy",
    "tap007-get-integration-method",
    "tap008-function-not-after-log-group",
    "tap010-pitr-disabled",
    "tap010-pitr-block-missing",
    "tap010-second-table",
    "tap011-force-destroy-false",
    "tap011-force-destroy-unset",
    "tap013-deployment-before-integration",
    "tap013-stage-before-account",
    "tap013-stage-after-wrong-resource",
]


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


@pytest.mark.parametrize("mutation_id", FIXABLE)
def test_a_fix_round_trips_through_terraform(
    mutation_id: str, workspace_for: Callable[[Path], Workspace], tmp_path: Path
) -> None:
    mutation = next(m for m in MUTATIONS if m.id == mutation_id)
    folder = tmp_path / "stack"
    _, found = fixes_of(mutation, folder)
    was_formatted = formatted(folder)
    before = (folder / "tap_stack.tf").read_text()
    found.write()  # type: ignore[attr-defined]
    after = (folder / "tap_stack.tf").read_text()
    assert after != before
    # only the lines the fix needs: a removed line is one whose argument the fix rewrites
    removed = [
        line[1:].strip()
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
        if line.startswith("-") and not line.startswith("---")
    ]
    rewritten = {"type", "integration_http_method", "enabled", "force_destroy", "depends_on"}
    assert all(line.split(" ")[0] in rewritten for line in removed), removed
    if was_formatted:
        assert formatted(folder), after
    workspace = workspace_for(folder)
    workspace.run("validate", "-no-color")
    plan = workspace.plan()
    (folder / "plans" / "plan.json").write_text(json.dumps(plan))
    report = check_inputs(
        [str(folder / "plans" / "plan.json")], CheckOptions(source=folder), CONFIG
    )
    assert [f for f in report.findings if f.status == Status.FAILED] == []
    again = find_fixes([str(folder / "plans" / "plan.json")], folder, CONFIG, set())
    assert again.diff() == ""  # idempotent
