"""Inline suppressions (`# checker:ignore RULE reason=... expires=...`) in the .tf files.

Parsed from real comment shapes; applied in static mode, on a real plan with its
sources bound, and in `--jobs` worker processes; expiring and unmatched ones
reported like file waivers; malformed ones refused with file and line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.errors import InputError
from checker.source.suppressions import block_suppressions, parse_comment
from tests.mutations import MUTATIONS
from tests.support.scenario import write_scenario

pytestmark = pytest.mark.fast

RUNNER = CliRunner()
FORCE_DESTROY_FALSE = next(m for m in MUTATIONS if m.id == "tap011-force-destroy-false")
LOGS = 'resource "aws_s3_bucket" "logs" {'


def test_comment_shapes() -> None:
    found = parse_comment(
        '  // checker:ignore TAP011, TAP010 reason=kept for the audit owner=sec expires=2027-01-31',
        "main.tf", 4,
    )  # fmt: skip
    assert found is not None
    assert (found.rules, found.reason, found.owner, found.expires) == (
        ("TAP011", "TAP010"), "kept for the audit", "sec", dt.date(2027, 1, 31),
    )  # fmt: skip
    quoted = parse_comment(
        '# checker:ignore ACME001 reason="a, b = c" expires=2027-01-31', "m.tf", 1
    )
    assert quoted is not None and quoted.reason == "a, b = c" and quoted.owner == ""
    assert parse_comment("# an ordinary comment about checker", "m.tf", 1) is None


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("# checker:ignore reason=x expires=2027-01-31", "must name rule IDs"),
        ("# checker:ignore TAP011 expires=2027-01-31", "lacks reason"),
        ("# checker:ignore TAP011 reason=x", "lacks expires"),
        ("# checker:ignore TAP011 reason=x expires=soon", "must be a date"),
        ("# checker:ignore TAP011 because reason=x expires=2027-01-31", "needs reason="),
        ("# checker:ignore TAP011 reason=x reason=y expires=2027-01-31", "reason twice"),
        ("# checker:ignore TAP011 reason=x expires=2027-01-31 colour=red", "must be a date"),
    ],
)
def test_malformed_comments_name_file_and_line(comment: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as error:
        parse_comment(comment, "stacks/app/main.tf", 12)
    assert str(error.value).startswith("stacks/app/main.tf:12: ")


def test_a_comment_belongs_to_the_block_below_or_around_it() -> None:
    text = (
        "# checker:ignore TAP001 reason=above expires=2027-01-01\n"
        "\n"
        "# another comment\n"
        'resource "aws_s3_bucket" "a" {\n'  # line 4
        '  bucket = "a"  # checker:ignore TAP002 reason=inside expires=2027-01-01\n'
        "}\n"
        "# checker:ignore TAP003 reason=orphan expires=2027-01-01\n"
        "locals { x = 1 }\n"
        'resource "aws_s3_bucket" "b" {  # checker:ignore TAP004 reason=header expires=2027-01-01\n'
        "}\n"
    )
    found = block_suppressions(text, "main.tf")
    assert {line: [s.rules for s in items] for line, items in found.items()} == {
        4: [("TAP001",), ("TAP002",)],
        9: [("TAP004",)],
    }


def _stack(folder: Path, comment: str) -> Path:
    write_scenario(folder, FORCE_DESTROY_FALSE)
    tf = folder / "tap_stack.tf"
    text = tf.read_text()
    assert LOGS in text
    tf.write_text(text.replace(LOGS, comment + "\n" + LOGS, 1))
    return folder


def _report(*args: str) -> tuple[int, dict[str, object]]:
    result = RUNNER.invoke(app, [*args, "--format", "json", "--config", "/dev/null"])
    return result.exit_code, json.loads(result.stdout)


def _tap011(report: dict[str, object]) -> list[tuple[str, str, str]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return [
        (f["address"], f["status"], f.get("waiver", ""))
        for f in findings
        if f["rule_id"] == "TAP011"
    ]


LIVE = (
    '# checker:ignore TAP011 reason="logs kept until the audit ends" owner=sec expires=2099-12-31'
)


@pytest.mark.parametrize("mode", ["static", "plan with sources", "jobs"])
def test_a_live_suppression_waives_with_its_reason(mode: str, tmp_path: Path) -> None:
    stack = _stack(tmp_path / "stack", LIVE)
    if mode == "static":
        code, report = _report("check", str(stack))
    elif mode == "plan with sources":
        code, report = _report("check", str(stack / "plan.json"), "--source", str(stack))
    else:
        shutil.copytree(stack, tmp_path / "other")
        code, report = _report("check", str(stack), str(tmp_path / "other"), "--jobs", "2")
    assert code == 0
    waived = {(a, s) for a, s, _ in _tap011(report) if s == "waived"}
    assert waived == {("aws_s3_bucket.logs", "waived")}
    reason = next(w for a, s, w in _tap011(report) if s == "waived")
    assert (
        "waived inline by sec at " in reason
        and "until 2099-12-31: logs kept until the audit ends" in reason
    )
    assert "warnings" not in report


def test_without_sources_a_plan_cannot_see_the_comment(tmp_path: Path) -> None:
    stack = _stack(tmp_path / "stack", LIVE)
    alone = tmp_path / "plans"
    alone.mkdir()
    shutil.copy(stack / "plan.json", alone / "plan.json")
    code, report = _report("check", str(alone / "plan.json"))
    assert code == 1 and ("aws_s3_bucket.logs", "failed", "") in _tap011(report)


def test_expired_and_unmatched_suppressions_are_reported(tmp_path: Path) -> None:
    expired = _stack(tmp_path / "expired", "# checker:ignore TAP011 reason=old expires=2020-01-31")
    code, report = _report("check", str(expired))
    assert code == 1 and ("aws_s3_bucket.logs", "failed", "") in _tap011(report)
    assert report["warnings"] == [
        "inline suppression expired on 2020-01-31, no longer waives: TAP011 at "
        f"{_shown(expired / 'tap_stack.tf')}:{_line(expired)} (expires 2020-01-31)"
    ]
    unmatched = _stack(
        tmp_path / "unmatched", "# checker:ignore TAP010 reason=wrong rule expires=2099-01-31"
    )
    code, report = _report("check", str(unmatched))
    assert code == 1
    warnings = report["warnings"]
    assert isinstance(warnings, list) and len(warnings) == 1
    assert warnings[0].startswith("inline suppression matches no finding of TAP010: TAP010 at ")


def test_a_malformed_suppression_is_exit_2(tmp_path: Path) -> None:
    stack = _stack(tmp_path / "stack", "# checker:ignore TAP011 reason=no date")
    result = RUNNER.invoke(app, ["check", str(stack), "--config", "/dev/null"])
    assert result.exit_code == 2
    assert f"tap_stack.tf:{_line(stack)}: checker:ignore lacks expires" in result.stderr
    assert "Traceback" not in result.stderr


def _line(stack: Path) -> int:
    lines = (stack / "tap_stack.tf").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if "checker:ignore" in line)


def _shown(path: Path) -> str:
    return os.path.relpath(path)
