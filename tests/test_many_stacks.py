"""Many stacks in one call: a monorepo of plans and directories, with a process pool."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from checker.cli import app
from tests.mutations import MUTATIONS
from tests.support.canonical_stack import FIXTURE, ROOT
from tests.support.scenario import write_scenario

RUNNER = CliRunner()


def test_a_monorepo_of_hundreds_of_stacks_in_one_call(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    broken = next(m for m in MUTATIONS if m.id == "tap010-pitr-disabled")
    write_scenario(tmp_path / "broken", broken)
    paths: list[str] = []
    for index in range(240):
        plan = stacks / f"team-{index:03d}" / "plan.json"
        plan.parent.mkdir(parents=True)
        shutil.copyfile(tmp_path / "broken" / "plan.json" if index == 117 else FIXTURE, plan)
        paths.append(str(plan))
    for index in range(3):  # and a few stacks checked from their .tf files
        folder = stacks / f"hcl-{index}"
        shutil.copytree(ROOT / "lambda", folder / "lambda")
        shutil.copyfile(ROOT / "tap_stack.tf", folder / "tap_stack.tf")
        paths.append(str(folder))
    result = RUNNER.invoke(app, ["check", *paths, "--jobs", "2", "--format", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert len(report["inputs"]) == 243
    assert [i["path"] for i in report["inputs"]] == paths
    assert {i["kind"] for i in report["inputs"]} == {"plan", "hcl"}
    failed = {
        (f["input"], f["rule_id"], f["address"])
        for f in report["findings"]
        if f["status"] == "failed"
    }
    assert failed == {(paths[117], "TAP010", "aws_dynamodb_table.main")}


def test_jobs_gives_the_same_report_as_one_process(tmp_path: Path) -> None:
    plans = []
    for mutation in MUTATIONS[:6]:
        folder = tmp_path / mutation.id
        write_scenario(folder, mutation)
        plans.append(str(folder / "plan.json"))
    one = json.loads(RUNNER.invoke(app, ["check", *plans, "--format", "json"]).stdout)
    many = json.loads(
        RUNNER.invoke(app, ["check", *plans, "--format", "json", "--jobs", "3"]).stdout
    )
    assert one == many


def test_text_report_has_a_section_per_input(tmp_path: Path) -> None:
    write_scenario(tmp_path, next(m for m in MUTATIONS if m.id == "tap011-force-destroy-false"))
    result = RUNNER.invoke(
        app, ["check", str(FIXTURE), str(tmp_path / "plan.json"), "--format", "text"]
    )
    lines = result.stdout.splitlines()
    assert lines[1] == f"  {FIXTURE}: 0 failed, 0 unknown, 0 waived, 34 passed"
    assert lines[2] == f"  {tmp_path / 'plan.json'}: 1 failed, 0 unknown, 0 waived, 33 passed"
    assert f"    - {tmp_path / 'plan.json'}: aws_s3_bucket.logs (force_destroy)" in result.stdout
