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
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from checker.fix.command import find_fixes
from checker.results import Status
from checker.run import CheckOptions, check_inputs
from tests.mutations import MUTATIONS
from tests.support.mutate import Mutation
from tests.support.scenario import CONFIG
from tests.terraform.fixtures import (
    PROVIDER_BLOCK,
    REAL,
    ROOT_MODULE,
    mutation_inputs,
    read_plan,
)
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


# the mutations `checker fix` settles whole (tests/test_fix_mutations.py holds it to the rules)
FIXABLE = [
    "tap001-no-depends-on",
    "tap001-permission-missing",
    "tap002-put-item-only",
    "tap005-aes256",
    "tap005-versioning-suspended",
    "tap005-public-access-partial",
    "tap005-inline-versioning",
    "tap006-hash-from-md5",
    "tap007-non-proxy",
    "tap007-get-integration-method",
    "tap007-permission-missing",
    "tap008-no-retention",
    "tap008-unencrypted-api-logs",
    "tap008-function-not-after-log-group",
    "tap010-pitr-disabled",
    "tap010-pitr-block-missing",
    "tap010-second-table",
    "tap011-force-destroy-false",
    "tap011-force-destroy-unset",
    "tap013-deployment-before-integration",
    "tap013-stage-before-account",
    "tap013-stage-after-wrong-resource",
    "tap015-no-api-url",
    "tap015-no-instance-outputs",
]


ROOT = ROOT_MODULE.split('provider "aws"')[0]  # the required providers of the module stacks
# one region per module: API Gateway's account settings are one per region (TAP013, TAP014)
REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "ca-central-1",
    "sa-east-1",
    "eu-central-2",
    "eu-south-1",
    "me-central-1",
    "il-central-1",
    "ap-southeast-3",
    "ap-east-1",
    "af-south-1",
    "eu-south-2",
)


def test_every_fix_round_trips_through_terraform(
    workspace_for: Callable[[Path], Workspace], tmp_path: Path
) -> None:
    """Each fixable mutation fixed (`--write`), its file formatted where it was and changed
    only where the fix needs; then all of them, one module each, validated and planned
    against moto in one real plan, which nothing fails; and a second `checker fix` finds
    nothing to do."""
    root = tmp_path / "root"
    calls = [ROOT]
    assert len(REGIONS) >= len(FIXABLE)
    for index, mutation_id in enumerate(FIXABLE):
        mutation = next(m for m in MUTATIONS if m.id == mutation_id)
        folder = root / mutation_id
        _, found = fixes_of(mutation, folder)
        was_formatted = formatted(folder)
        before = (folder / "tap_stack.tf").read_text()
        found.write()  # type: ignore[attr-defined]
        after = (folder / "tap_stack.tf").read_text()
        assert after != before, mutation_id
        # only the lines the fix needs: a removed line is one whose argument it rewrites
        removed = [
            line[1:].strip()
            for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
            if line.startswith("-") and not line.startswith("---")
        ]
        rewritten = {"type", "integration_http_method", "enabled", "force_destroy", "depends_on"}
        rewritten |= {"sse_algorithm", "status", "restrict_public_buckets", "actions"}
        rewritten.add("source_code_hash")
        moved = ["versioning {", "enabled = true", "}"]  # the inline block the fix moves out
        if mutation_id == "tap005-inline-versioning":
            assert removed == moved, removed
        else:
            assert all(line.split(" ")[0] in rewritten for line in removed), (mutation_id, removed)
        if was_formatted:
            assert formatted(folder), (mutation_id, after)
        # as a child module of one root: its provider configuration is the root's
        (folder / "tap_stack.tf").write_text(after.replace(PROVIDER_BLOCK, "", 1))
        shutil.rmtree(folder / "plans")
        calls.append(
            f'provider "aws" {{\n  alias  = "m{index}"\n  region = "{REGIONS[index]}"\n}}\n\n'
            f'module "m{index}" {{\n  source             = "./{mutation_id}"\n'
            f'  environment_suffix = "m{index}"\n  providers          = {{ aws = aws.m{index} }}\n'
            f'}}\n\noutput "m{index}" {{\n  value = module.m{index}\n}}\n'
        )
    (root / "main.tf").write_text("\n".join(calls))
    workspace = workspace_for(root)
    workspace.run("validate", "-no-color")
    (root / "plans").mkdir()
    (root / "plans" / "plan.json").write_text(json.dumps(workspace.plan()))
    report = check_inputs([str(root / "plans" / "plan.json")], CheckOptions(source=root), CONFIG)
    assert any("HCL sources" in note for i in report.inputs for note in i.notes)
    assert [(f.rule_id, f.address) for f in report.findings if f.status == Status.FAILED] == []
    again = find_fixes([str(root / "plans" / "plan.json")], root, CONFIG, set())
    assert again.diff() == ""  # idempotent
