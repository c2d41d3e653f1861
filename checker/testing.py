"""Helpers for rule authors' tests: build a model from a small plan or a `.tf` directory, check it.

    from checker.testing import check_plan, findings_of

    def test_tables_need_deletion_protection(tmp_path):
        plan = {"format_version": "1.2", "resource_changes": [...]}
        assert findings_of(check_plan(plan, rules=["acme_rules"])) == {
            ("ACME001", "aws_dynamodb_table.t", "failed"),
        }

`rules` are directories of rule modules (as `--rules DIR` takes them); rules of
installed packs and the built-in pack run too, `only` narrows the findings to
some rule IDs. Verdicts are the same the command line gives.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from checker.config import load_config
from checker.report.model import Finding, Report
from checker.run import CheckOptions, check_inputs

Verdict = tuple[str, str, str]


def check_plan(
    plan: dict[str, Any] | Path,
    rules: Iterable[str | Path] = (),
    config: Path | None = None,
    source: Path | None = None,
) -> Report:
    """Check a plan (a dict of `terraform show -json` output, or a file) or a `.tf` directory."""
    directories = tuple(Path(r).resolve() for r in rules)
    with tempfile.TemporaryDirectory(prefix="checker-testing-") as tmp:
        if isinstance(plan, dict):
            path = Path(tmp) / "plan.json"
            path.write_text(json.dumps(plan), encoding="utf-8")
        else:
            path = plan
        start = path if path.is_dir() else path.parent
        settings = load_config(config, start, directories)
        return check_inputs([str(path)], CheckOptions(source=source), settings)


def findings_of(report: Report, only: Iterable[str] = ()) -> set[Verdict]:
    """The exact (rule, address, status) set of a report, optionally for some rule IDs."""
    wanted = set(only)
    return {
        (f.rule_id, f.address, f.status)
        for f in report.findings
        if not wanted or f.rule_id in wanted
    }


def failures(findings: Iterable[Finding]) -> set[tuple[str, str]]:
    return {(f.rule_id, f.address) for f in findings if f.status == "failed"}
