"""The terraform-compliance engine: Gherkin features of checker/policies/compliance, run in isolation.

terraform-compliance runs as a separate program (`CHECKER_COMPLIANCE`, the
environment `checker engines install` builds, or PATH) on a one-line copy of each plan (it
rewrites multi-line plan files in place). Outcomes come from machine-readable
reports, never from its coloured console: radish's Cucumber JSON
(`--cucumber-json`) says which scenarios ran and how; radish's JUnit writer
(`--junit-xml`) misattributes skipped scenarios and crashes when a feature's
first scenario is skipped, so it is read only to name the failing resources of
failed scenarios. The tool is known to exit 0 when a feature does not parse and
to drop or skip scenarios silently, so the report is checked against the
scenarios the feature files declare: a missing scenario, a step error, or a
skip while the plan holds the resources the scenario is about is an engine
error (exit 3), never a pass.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.config import CheckerConfig
from checker.core.legacy import unless_configured
from checker.engines.checkov_plan import engine_view
from checker.engines.compliance_features import Scenario, declared_scenarios, features_dir
from checker.engines.coverage import partial_rules
from checker.engines.external import engine_finding, isolated_environment
from checker.engines.install import TOOLS, find_engine
from checker.engines.names import EngineName
from checker.engines.redaction import scrub
from checker.errors import EngineError
from checker.inputs import PLAN_KINDS, LoadedInput
from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown
from checker.report.model import Finding

ENGINE = EngineName.COMPLIANCE.value
# "kms_key_id property in ADDRESS resource ..." / "ADDRESS (type) does not have kms_key_id property."
PROPERTY = re.compile(r"^(\w+) property in |does not have (\w+) property")
Outcomes = dict[tuple[str, str], tuple[str, str]]


@dataclass(frozen=True)
class ComplianceInput:
    name: str
    model: PlanModel
    raw: dict[str, Any]


def find_compliance() -> str:
    return find_engine(TOOLS[EngineName.COMPLIANCE])


def _cucumber_outcomes(path: Path) -> Outcomes:
    """(feature, scenario) -> (passed|failed|skipped|error, step error text)."""
    try:
        features = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        raise EngineError("terraform-compliance wrote no readable Cucumber JSON report") from None
    out: Outcomes = {}
    for feature in features if isinstance(features, list) else []:
        for element in feature.get("elements") or []:
            results = [(s.get("result") or {}) for s in element.get("steps") or []]
            errors = [
                r.get("error_message", "").strip() for r in results if r.get("status") == "failed"
            ]
            kinds = {r.get("status") for r in results}
            if "undefined" in kinds or any(errors):
                outcome = ("error", next((e for e in errors if e), "undefined step"))
            elif "failed" in kinds:
                outcome = ("failed", "")  # terraform-compliance leaves policy failures blank here
            elif kinds == {"passed"}:
                outcome = ("passed", "")
            else:
                outcome = ("skipped", "")
            out[(str(feature.get("name", "")), str(element.get("name", "")))] = outcome
    return out


def _junit_failures(path: Path) -> dict[tuple[str, str], str]:
    """(feature, scenario) -> failure text; failed testcases are attributed correctly."""
    try:
        root = ElementTree.parse(path).getroot()
    except (ElementTree.ParseError, OSError):
        return {}
    out: dict[tuple[str, str], str] = {}
    for case in root.iter("testcase"):
        failure = case.find("failure")
        if failure is not None and failure.get("type") == "Failure":
            out[(case.get("classname", ""), case.get("name", ""))] = failure.text or ""
    return out


def _environment(folder: Path) -> dict[str, str]:
    """terraform-compliance's environment: PATH, the locale, and HOME and TMPDIR at `folder`.

    Nothing else of the caller's reaches it (`isolated_environment`): it reads
    `TFC_ERROR` (renames the failure its reports carry), runs `git` at import
    (GitPython; `GIT_*` variables and `~/.gitconfig` configure that git) and
    `terraform` for a plan that is not JSON (`TF_*`); Python reads `PYTHON*`.
    Its cache (`Defaults.cache_dir`, a `mkdtemp`) lands in `folder` too.
    """
    return isolated_environment(folder, {"TMPDIR": str(folder), "NO_COLOR": "1"})


def _run(executable: str, features: Path, plan: Path, flag: str, report: Path) -> Path:
    """One run in the plan's own folder (working directory and HOME), never the workspace."""
    command = [executable, "--features", str(features), "--planfile", str(plan), flag, str(report)]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env=_environment(plan.parent),
            cwd=plan.parent,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EngineError(f"terraform-compliance could not run: {error}") from None
    if done.returncode not in (0, 1) or (flag == "--cucumber-json" and not report.is_file()):
        lines = [x for x in (done.stdout + done.stderr).splitlines() if x.strip()]
        tail = re.sub(r"\x1b\[[0-9;]*m", "", lines[-1] if lines else "no output")
        raise EngineError(
            f"terraform-compliance failed (exit {done.returncode}): {tail.strip()[:200]}"
        )
    return report


def _check_one(
    executable: str, features: Path, item: ComplianceInput, folder: Path
) -> tuple[Outcomes, dict[tuple[str, str], str]]:
    plan = folder / "plan.json"
    view = engine_view(item.raw, item.model)
    plan.write_text(json.dumps(view, separators=(",", ":")), encoding="utf-8")
    outcomes = _cucumber_outcomes(
        _run(executable, features, plan, "--cucumber-json", folder / "report.json")
    )
    failures: dict[tuple[str, str], str] = {}
    if any(status == "failed" for status, _ in outcomes.values()):
        failures = _junit_failures(
            _run(executable, features, plan, "--junit-xml", folder / "report.xml")
        )
    return outcomes, failures


def _finding(scenario: Scenario, status: str, address: str, message: str, item: str) -> Finding:
    return engine_finding(
        ENGINE, scenario.rule_id, scenario.check_id, status, address, message, item
    )


def _hidden_property(item: ComplianceInput, address: str, detail: str) -> str | None:
    """The property a failure names, when the plan only knows it after apply."""
    match = PROPERTY.search(detail)
    inst = item.model.instance(address)
    if match is None or inst is None:
        return None
    name = match.group(1) or match.group(2)
    if name in unless_configured(inst.type) and not inst.expression(name).present:
        return None  # not set in the configuration: absent (the view leaves it out)
    return name if isinstance(inst.get(name), Unknown) else None


def _scenario_findings(
    item: ComplianceInput,
    scenario: Scenario,
    status: str,
    detail: str,
    instances: list[Instance],
    partial: frozenset[str],
) -> Iterator[Finding]:
    """One finding per resource the scenario is about.

    terraform-compliance stops a failing step at its first failing resource, so
    the resources a failure does not name were not judged (unknown); a failure
    on a property the plan only knows after apply is unknown, not failed; a rule
    the features assert only in part never passes here.
    """
    addresses = [i.address for i in instances]
    named = {a for a in addresses if re.search(re.escape(a) + r"(?![\w\[.])", detail)}
    for address in addresses:
        if status != "failed":
            if scenario.rule_id not in partial:
                yield _finding(scenario, "passed", address, f"{scenario.name}: holds", item.name)
            continue
        if named and address not in named:
            text = f"{scenario.name}: not judged (the scenario stopped at its first failure)"
            yield _finding(scenario, "unknown", address, text, item.name)
            continue
        hidden = _hidden_property(item, address, detail)
        if hidden is not None:
            text = f"{scenario.name}: {hidden} is only known after apply"
            yield _finding(scenario, "unknown", address, text, item.name)
            continue
        yield _finding(scenario, "failed", address, detail[:500], item.name)


def _findings_for(
    item: ComplianceInput,
    scenarios: list[Scenario],
    outcomes: Outcomes,
    failures: dict[tuple[str, str], str],
) -> list[Finding]:
    findings: list[Finding] = []
    partial = partial_rules(EngineName.COMPLIANCE)
    for scenario in scenarios:
        key = (scenario.feature, scenario.name)
        where = f"scenario {scenario.name!r} of {Path(scenario.file).name}"
        if key not in outcomes:
            raise EngineError(
                f"terraform-compliance did not report {where}: the feature may not parse"
            )
        status, error = outcomes[key]
        if status == "error":
            raise EngineError(f"terraform-compliance could not run {where}: {error[:150]}")
        instances = item.model.resources(scenario.resource_type) if scenario.resource_type else []
        if status == "skipped":
            if instances:
                raise EngineError(
                    f"terraform-compliance skipped {where} although the plan has "
                    f"{scenario.resource_type} resources"
                )
            continue  # nothing of that type in this plan: the scenario does not apply
        message = failures.get(key, "")
        detail = message.split("Failure:", 1)[-1].strip() or f"{scenario.name}: does not hold"
        findings.extend(_scenario_findings(item, scenario, status, detail, instances, partial))
    return findings


def run_compliance(inputs: Sequence[ComplianceInput]) -> list[Finding]:
    if not inputs:
        return []
    executable = find_compliance()
    features = features_dir()
    scenarios = declared_scenarios(features)
    with tempfile.TemporaryDirectory(prefix="checker-compliance-") as tmp:
        folders = [Path(tmp) / str(i) for i in range(len(inputs))]
        for folder in folders:
            folder.mkdir()
        workers = max(1, min(len(inputs), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(
                pool.map(
                    lambda pair: _check_one(executable, features, *pair),
                    zip(inputs, folders, strict=True),
                )
            )
    findings: list[Finding] = []
    for item, (outcomes, failures) in zip(inputs, results, strict=True):
        findings.extend(_findings_for(item, scenarios, outcomes, failures))
    return findings


class ComplianceEngine:
    """The terraform-compliance features, one run of the program for every plan; findings scrubbed of
    sensitive values (`checker.engines.redaction.scrub`)."""

    name = EngineName.COMPLIANCE
    accepts = PLAN_KINDS

    def run(self, inputs: Sequence[LoadedInput], config: CheckerConfig) -> list[Finding]:
        models = {i.name: i.model for i in inputs}
        found = run_compliance([ComplianceInput(i.name, i.model, i.raw) for i in inputs])
        return [scrub(f, models[f.input]) for f in found]
