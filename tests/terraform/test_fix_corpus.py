"""`checker fix` on the stack corpus (`tests/stacks/`: modules, for_each and count, JSON syntax,
OpenAPI bodies, community modules), proven on real Terraform.

Which corpus mutations `checker fix` settles is asked of every one (their real create plans
with the mutated sources bound): exactly `CORPUS_FIXABLE`; every other failure is left as it
is with a reason. A fix found in static mode (the `.tf` files alone) is the same edit as the
one found from the plan. Then per stack, its fixable mutations made together, fixed
(`--write`, static mode), formatted, validated and planned against moto: the real plan,
checked with its sources, fails nothing, and a second `checker fix` finds nothing to do.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from checker.config import CheckerConfig
from checker.fix.command import FixRun, find_fixes
from checker.results import Status
from checker.run import CheckOptions, check_inputs
from tests.stacks.corpus import CORPUS, Stack, StackMutation
from tests.terraform.corpus import OUT
from tests.terraform.fixtures import read_plan
from tests.terraform.harness import MotoServer, Workspace

# the corpus mutations `checker fix` settles whole (the test below holds it to the rules)
CORPUS_FIXABLE = [
    "modular/tap005-versioning-suspended",
    "modular/tap007-integration-aws",
    "modular/tap008-no-retention",
    "modular/tap010-pitr-off",
    "modular/tap011-no-force-destroy",
    "modular/tap013-deployment-order",
    "modular/tap015-no-api-url",
    "chains/tap005-aes256",
    "chains/tap005-public-policy",
    "chains/tap010-no-pitr",
    "chains/tap011-no-force-destroy",
    "chains/tap015-no-instance",
    "counted/tap001-no-depends-on",
    "counted/tap006-no-hash",
    "counted/tap010-no-pitr",
    "counted/tap013-stage-before-account",
    "counted/tap015-no-api",
    "inline/tap001-no-depends-on",
    "inline/tap005-aes256",
    "inline/tap005-no-public-access-block",
    "inline/tap008-function-first",
    "inline/tap008-access-logs-plain",
    "inline/tap011-reports-kept",
    "inline/tap013-constant-trigger",
    "inline/tap015-no-key",
    "nested/tap001-no-depends-on",
    "nested/tap005-suspended",
    "nested/tap010-pitr-off",
    "nested/tap013-deployment-unordered",
    "templated/tap008-access-forever",
    "templated/tap013-deployment-unordered",
    "templated/tap015-no-writer",
    "community/tap002-no-query",
    "openapi/tap013-stage-before-account",
    "prebuilt/tap001-no-depends-on",
]
CONFIG = CheckerConfig()


def key(stack: Stack, mutation: StackMutation) -> str:
    return f"{stack.name}/{mutation.id}"


def plan_fixes(stack: Stack, mutation: StackMutation, folder: Path) -> FixRun:
    """`checker fix` of the mutation's real create plan, its mutated sources bound."""
    stack.write(folder / "stack", mutation)
    plan = folder / "plan.json"
    plan.write_text(json.dumps(read_plan(OUT / stack.name / f"{mutation.id}.create.json.gz")))
    return find_fixes([str(plan)], folder / "stack", CONFIG, set())


def relative_diff(run: FixRun, root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root.resolve()).as_posix(): new
        for path, (old, new) in run.files.items()
        if old != new
    }


def test_the_corpus_fixable_mutations_are_exactly_those_with_edits(tmp_path: Path) -> None:
    """Every corpus mutation asked: the ones fully fixed from their plans are the list above,
    and static mode writes the same bytes; every finding left names why, and a mutation
    not fixed whole keeps its files."""
    fixed: list[str] = []
    for stack in CORPUS:
        for mutation in stack.mutations:
            folder = tmp_path / stack.name / mutation.id
            found = plan_fixes(stack, mutation, folder)
            left = found.unfixable + [(f, f.fix) for f in found.manual]
            assert all(why for _, why in left), key(stack, mutation)
            if not found.fixed or left:
                assert relative_diff(found, folder / "stack") == {}, key(stack, mutation)
                continue
            fixed.append(key(stack, mutation))
            static = find_fixes([str(folder / "stack")], None, CONFIG, set())
            assert relative_diff(static, folder / "stack") == relative_diff(
                found, folder / "stack"
            ), key(stack, mutation)
    assert fixed == CORPUS_FIXABLE


def together(stack: Stack) -> dict[str, bytes]:
    """The stack's files with every fixable mutation of it made (their edits never overlap)."""
    files = stack.files(None)
    for mutation in stack.mutations:
        if key(stack, mutation) not in CORPUS_FIXABLE:
            continue
        for file, old, new in mutation.edits:
            text = files[file].decode()
            assert old in text, (key(stack, mutation), "overlaps another mutation")
            files[file] = text.replace(old, new, 1).encode()
    return files


FIXED_STACKS = [s for s in CORPUS if any(key(s, m) in CORPUS_FIXABLE for m in s.mutations)]


def formatted(path: Path) -> bool:
    done = subprocess.run(
        ["terraform", "fmt", "-check", "-no-color", str(path)], capture_output=True, check=False
    )
    return done.returncode == 0


def failures(plan: Path, source: Path) -> set[tuple[str, str]]:
    report = check_inputs([str(plan)], CheckOptions(source=source), CONFIG)
    assert any("HCL sources" in note for i in report.inputs for note in i.notes)
    return {(f.rule_id, f.address) for f in report.findings if f.status == Status.FAILED}


@pytest.mark.parametrize("stack", FIXED_STACKS, ids=[s.name for s in FIXED_STACKS])
def test_the_corpus_fixes_round_trip_through_terraform(
    stack: Stack,
    workspace_for: Callable[[Path], Workspace],
    moto: MotoServer,
    tmp_path: Path,
) -> None:
    """The stack's fixable mutations made together, then `checker fix --write`: the files
    stay formatted, validate, and the real plan against moto fails nothing."""
    folder = tmp_path / stack.name
    for relative, content in together(stack).items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)
    mutated = {p: p.read_bytes() for p in folder.rglob("*.tf")}
    was_formatted = {p for p in mutated if formatted(p)}
    found = find_fixes([str(folder)], None, CONFIG, set())
    assert not found.unfixable and not found.manual, found.unfixable
    changed = {p.relative_to(folder) for p in found.write()}
    assert changed, stack.name
    # a file `terraform fmt` left as it was stays so (some stacks are written unformatted)
    assert all(formatted(p) for p in was_formatted if p.relative_to(folder) in changed)
    s3 = moto.client("s3")
    for bucket, object_key, file in stack.published:
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key=object_key, Body=(stack.directory / file).read_bytes())
    workspace = workspace_for(folder)
    workspace.run("validate", "-no-color")
    plan = tmp_path / "plans" / "plan.json"
    plan.parent.mkdir()
    plan.write_text(json.dumps(workspace.plan()))
    assert failures(plan, folder) == set()
    assert find_fixes([str(plan)], folder, CONFIG, set()).diff() == ""  # idempotent
