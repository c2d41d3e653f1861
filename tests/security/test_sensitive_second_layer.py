"""Issue 24, class 6: a sensitive value copied where the plan has no mark is never printed.

The taint tracking (`checker/plan/sensitive.py`) follows reads of marked paths;
a literal copy of a sensitive variable or output into a tag, a name or a policy
carries no mark, so only the second layer (`Secrets`) can hide it. Every case is
built twice from the canonical stack: with the mark (the secret must be absent
from stdout, stderr and the written report in every format) and without it (the
report quotes the value: the case can fail), and both give the same verdicts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checker.engines.redaction import hide_copies
from checker.plan.build import build_model
from checker.plan.load import load_plan
from checker.plan.sensitive import FEW, REDACTED_COPY, Secrets, spellings
from checker.report.model import Finding
from checker.results import Severity, Status
from tests.security.inputs import canonical_plan, change_of, stack, write_plan
from tests.support.canonical_stack import ROOT

SECRET = "S3CR3T-COPY-MARKER"
FORMATS = ("json", "text", "markdown", "sarif", "junit", "html")
TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/"
FUNCTION = "aws_lambda_function.processor"
FUNCTION_LINE = "  function_name    = local.function_name\n"

Plan = dict[str, Any]
Build = Callable[[Path, bool], None]  # writes the input into a folder, marked sensitive or not


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """The CLI as a CI job runs it, in a child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env.pop("CHECKER_TERRAFORM", None)
    return subprocess.run(
        [sys.executable, "-m", "checker", *(a.replace("{dir}", str(folder)) for a in args)],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )


# ------------------------------------------------------------------ plans


def _variable(plan: Plan, marked: bool, value: Any = SECRET) -> None:
    """A root variable holding the value, `sensitive = true` when marked."""
    plan["variables"]["db_secret"] = {"value": value}
    plan["configuration"]["root_module"]["variables"]["db_secret"] = {"sensitive": marked}


def _into_function_name(plan: Plan, value: str = SECRET) -> None:
    """A literal copy: TAP008 then quotes the log group it expects, /aws/lambda/<value>."""
    change_of(plan, FUNCTION)["after"]["function_name"] = value


def _into_policy(plan: Plan, resource: str) -> None:
    """A literal copy in a table ARN of the Lambda's policy: TAP002 quotes the wildcard."""
    document = change_of(plan, "data.aws_iam_policy_document.lambda")
    document["after"]["statement"][0]["resources"] = [resource]
    document["after_unknown"]["statement"][0]["resources"] = [False]


def _plan(edit: Callable[[Plan, bool], None]) -> Build:
    def build(folder: Path, marked: bool) -> None:
        plan = canonical_plan()
        edit(plan, marked)
        write_plan(folder, plan)

    return build


def attribute_copy(plan: Plan, marked: bool) -> None:
    """(a) a sensitive variable's value copied into a non-sensitive attribute a rule quotes."""
    _variable(plan, marked)
    _into_function_name(plan)


def output_copy(plan: Plan, marked: bool) -> None:
    """(b) a sensitive output's value copied into the same attribute."""
    plan["output_changes"]["db_password"] = {
        "actions": ["create"],
        "before": None,
        "after": SECRET,
        "after_unknown": False,
        "before_sensitive": False,
        "after_sensitive": marked,
    }
    plan["planned_values"]["outputs"]["db_password"] = {
        "sensitive": marked,
        "type": "string",
        "value": SECRET,
    }
    plan["configuration"]["root_module"]["outputs"]["db_password"] = {
        "expression": {"references": ["var.db_password"]},
        "sensitive": marked,
    }
    _into_function_name(plan)


def policy_copy(plan: Plan, marked: bool) -> None:
    """(c) a sensitive variable's value copied into the resource name part of a policy."""
    _variable(plan, marked)
    _into_policy(plan, f"{TABLE_ARN}{SECRET}-*")


def policy_copy_at_the_cut(plan: Plan, marked: bool) -> None:
    """The copy straddles the 300-character cut of a finding: searched before shortening."""
    _variable(plan, marked)
    _into_policy(plan, f"{TABLE_ARN}{'x' * 155}{SECRET}-*")


def short_copy(plan: Plan, marked: bool) -> None:
    """A three-character value: hidden where it stands as a whole token."""
    _variable(plan, marked, "Qz7")
    _into_function_name(plan, "Qz7")


def number_copy(plan: Plan, marked: bool) -> None:
    """A sensitive number copied into a log group's retention (printed by TAP008)."""
    _variable(plan, marked, -987654)
    change_of(plan, "aws_cloudwatch_log_group.lambda")["after"]["retention_in_days"] = -987654


def module_number_copy(plan: Plan, marked: bool) -> None:
    """A number a module call passes to a sensitive variable, copied into the retention
    (terraform-compliance quotes it in its failure)."""
    plan["configuration"]["root_module"].setdefault("module_calls", {})["vault"] = {
        "source": "./vault",
        "expressions": {"token": {"constant_value": -987654}},
        "module": {"variables": {"token": {"sensitive": marked}}},
    }
    change_of(plan, "aws_cloudwatch_log_group.lambda")["after"]["retention_in_days"] = -987654


# ------------------------------------------------------------------ sources (static mode)


def _sources(edit: Callable[[str, bool], str]) -> Build:
    def build(folder: Path, marked: bool) -> None:
        stack(folder, lambda text: edit(text, marked))

    return build


def _declare(marked: bool) -> str:
    """`variable "db_secret"` with the secret as its default, `sensitive` when marked."""
    return (
        f'variable "db_secret" {{\n  sensitive = {str(marked).lower()}\n'
        f'  default   = "{SECRET}"\n}}\n'
    )


def static_default_copy(text: str, marked: bool) -> str:
    """A `sensitive = true` default copied literally into the function's name."""
    return _declare(marked) + text.replace(FUNCTION_LINE, f'  function_name    = "{SECRET}"\n')


def static_note_copy(text: str, marked: bool) -> str:
    """The value read into a path the confined reader refuses: the input's note names it."""
    start = text.index("  user_data = <<-EOT")
    end = text.index("  EOT\n", start) + len("  EOT\n")
    return (
        _declare(marked) + text[:start] + '  user_data = file("/${var.db_secret}")\n' + text[end:]
    )


def static_waiver_copy(text: str, marked: bool) -> str:
    """The value copied into the reason of an inline suppression: the waiver text quotes it."""
    header = 'resource "aws_lambda_function" "processor" {\n'
    comment = f'# checker:ignore TAP008 reason="{SECRET}" owner=sec expires=2099-01-31\n'
    return static_default_copy(text, marked).replace(header, comment + header, 1)


def static_module_copy(folder: Path, marked: bool) -> None:
    """A child module's sensitive variable, passed a literal that the root copies too."""

    def edit(text: str) -> str:
        call = f'module "vault" {{\n  source = "./vault"\n  token  = "{SECRET}"\n}}\n'
        return call + text.replace(FUNCTION_LINE, f'  function_name    = "{SECRET}"\n')

    stack(folder, edit)
    (folder / "vault").mkdir()
    (folder / "vault" / "main.tf").write_text(
        f'variable "token" {{\n  sensitive = {str(marked).lower()}\n}}\n', encoding="utf-8"
    )


@dataclass(frozen=True)
class Copy:
    id: str
    build: Build
    args: tuple[str, ...] = ("check", "{dir}/plan.json")
    secret: str = SECRET
    forbidden: str = SECRET  # what must not appear (a prefix, when the copy is cut)
    formats: tuple[str, ...] = FORMATS


STATIC = ("check", "{dir}")
COPIES = (
    Copy("plan-attribute", _plan(attribute_copy)),
    Copy("plan-output", _plan(output_copy)),
    Copy("plan-policy-resource", _plan(policy_copy)),
    Copy("plan-policy-at-the-cut", _plan(policy_copy_at_the_cut), forbidden=SECRET[:9]),
    Copy("plan-short-value", _plan(short_copy), secret="/aws/lambda/Qz7", forbidden="Qz7"),
    Copy("plan-number", _plan(number_copy), secret="-987654", forbidden="987654"),
    Copy(
        "plan-module-number-compliance",
        _plan(module_number_copy),
        args=("check", "{dir}/plan.json", "--engine", "compliance"),
        secret="-987654",
        forbidden="987654",
        formats=("json",),
    ),
    Copy("static-default", _sources(static_default_copy), STATIC),
    Copy("static-note", _sources(static_note_copy), STATIC),
    Copy("static-inline-waiver", _sources(static_waiver_copy), STATIC),
    Copy("static-module-variable", static_module_copy, STATIC),
)


def _verdicts(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return sorted(
        (f["rule_id"], f["engine"], f["address"], f["status"]) for f in report["findings"]
    )


@pytest.mark.parametrize("copy", COPIES, ids=[c.id for c in COPIES])
def test_a_copied_value_is_hidden_in_every_format(copy: Copy, tmp_path: Path) -> None:
    plain, marked = tmp_path / "plain", tmp_path / "marked"
    for folder, mark in ((plain, False), (marked, True)):
        folder.mkdir()
        copy.build(folder, mark)
    quoted = run(plain, *copy.args, "--format", "json")
    assert copy.secret.encode() in quoted.stdout, "without the mark the report quotes the copy"
    for fmt in copy.formats:
        output = tmp_path / f"report.{fmt}"
        done = run(marked, *copy.args, "--format", fmt, "--output", str(output))
        everything = done.stdout + done.stderr + output.read_bytes()
        assert copy.forbidden.encode() not in everything, fmt
        assert b"Traceback" not in done.stderr
        assert done.returncode == quoted.returncode, (fmt, done.stderr[-400:])
        if fmt == "json":
            report = json.loads(output.read_bytes())
            assert _verdicts(report) == _verdicts(json.loads(quoted.stdout))
            assert report["summary"]["gate"] == json.loads(quoted.stdout)["summary"]["gate"]
            assert REDACTED_COPY in output.read_text(encoding="utf-8")  # hidden, not dropped
    shown = run(marked, *copy.args, "--format", "text")  # as a CI log shows it
    assert copy.forbidden.encode() not in shown.stdout + shown.stderr


# ------------------------------------------------------------------ every place a plan marks


def _root_default(plan: Plan, marked: bool) -> None:
    plan["variables"]["db_secret"] = {"value": "overridden-by-tfvars"}
    declared = {"default": SECRET, "sensitive": marked}
    plan["configuration"]["root_module"]["variables"]["db_secret"] = declared


def _output_change(plan: Plan, marked: bool) -> None:
    plan["output_changes"]["db_password"] = {
        "actions": ["create"],
        "before": None,
        "after": SECRET,
        "after_unknown": False,
        "after_sensitive": marked,
    }


def _output_before(plan: Plan, marked: bool) -> None:
    plan["output_changes"]["db_password"] = {
        "actions": ["update"],
        "before": SECRET,
        "after": "rotated",
        "after_unknown": False,
        "before_sensitive": marked,
        "after_sensitive": marked,
    }


def _planned_output(plan: Plan, marked: bool) -> None:
    plan["planned_values"]["outputs"]["db_password"] = {"sensitive": marked, "value": SECRET}


def _declared_output(plan: Plan, marked: bool) -> None:
    """Marked only in the configuration (`sensitive = true` on the output block)."""
    plan["output_changes"]["db_password"] = {"actions": ["create"], "after": SECRET}
    plan["configuration"]["root_module"]["outputs"]["db_password"] = {
        "expression": {"references": ["var.db_password"]},
        "sensitive": marked,
    }


def _after_sensitive(plan: Plan, marked: bool) -> None:
    logs = change_of(plan, "aws_s3_bucket.logs")
    logs["after"]["tags"] = {"Owner": SECRET}
    logs["after_sensitive"]["tags"] = {"Owner": marked}


def _before_sensitive(plan: Plan, marked: bool) -> None:
    key = change_of(plan, "aws_kms_key.main")
    key["before"] = {"description": SECRET}
    key["before_sensitive"] = {"description": marked}


def _drift(plan: Plan, marked: bool) -> None:
    plan["resource_drift"] = [
        {
            "address": "aws_s3_bucket.logs",
            "mode": "managed",
            "type": "aws_s3_bucket",
            "name": "logs",
            "change": {
                "actions": ["update"],
                "before": {"tags": {"Owner": SECRET}},
                "after": {"tags": {}},
                "before_sensitive": {"tags": marked},
                "after_sensitive": {},
            },
        }
    ]


def _resource_values(address: str, type_: str, attribute: str, marked: bool) -> Plan:
    return {
        "address": address,
        "mode": "data" if address.startswith("data.") else "managed",
        "type": type_,
        "name": address.split(".")[-1],
        "values": {attribute: SECRET},
        "sensitive_values": {attribute: marked},
    }


def _planned_sensitive_values(plan: Plan, marked: bool) -> None:
    resources = plan["planned_values"]["root_module"]["resources"]
    resources.append(_resource_values("aws_ssm_parameter.db", "aws_ssm_parameter", "value", marked))


def _prior_state(plan: Plan, marked: bool) -> None:
    root = plan["prior_state"]["values"]["root_module"]
    root.setdefault("resources", []).append(
        _resource_values(
            "data.aws_secretsmanager_secret_version.db",
            "aws_secretsmanager_secret_version",
            "secret_string",
            marked,
        )
    )


def _child_module_values(plan: Plan, marked: bool) -> None:
    parameter = _resource_values(
        "module.vault.aws_ssm_parameter.db", "aws_ssm_parameter", "value", marked
    )
    plan["planned_values"]["root_module"].setdefault("child_modules", []).append(
        {"address": "module.vault", "resources": [parameter]}
    )


def _child_module_variable(plan: Plan, marked: bool) -> None:
    plan["configuration"]["root_module"].setdefault("module_calls", {})["vault"] = {
        "source": "./vault",
        "expressions": {"token": {"constant_value": SECRET}},
        "module": {"variables": {"token": {"sensitive": marked}}},
    }


def _child_module_default(plan: Plan, marked: bool) -> None:
    plan["configuration"]["root_module"].setdefault("module_calls", {})["vault"] = {
        "source": "./vault",
        "module": {"variables": {"token": {"default": [SECRET], "sensitive": marked}}},
    }


SOURCES: dict[str, Callable[[Plan, bool], None]] = {
    "root-variable": lambda plan, marked: _variable(plan, marked),
    "root-variable-default": _root_default,
    "output-change-after": _output_change,
    "output-change-before": _output_before,
    "planned-output": _planned_output,
    "declared-output": _declared_output,
    "after-sensitive": _after_sensitive,
    "before-sensitive": _before_sensitive,
    "resource-drift": _drift,
    "planned-sensitive-values": _planned_sensitive_values,
    "prior-state-sensitive-values": _prior_state,
    "child-module-sensitive-values": _child_module_values,
    "child-module-variable-argument": _child_module_variable,
    "child-module-variable-default": _child_module_default,
}


def _sensitive_strings(folder: Path) -> frozenset[str]:
    return build_model(load_plan(str(folder / "plan.json")).document).sensitive_strings


@pytest.mark.parametrize("source", SOURCES, ids=list(SOURCES))
def test_every_place_a_plan_marks_feeds_the_second_layer(source: str, tmp_path: Path) -> None:
    for marked in (False, True):
        folder = tmp_path / str(marked)
        folder.mkdir()
        plan = canonical_plan()
        SOURCES[source](plan, marked)
        _into_function_name(plan)
        write_plan(folder, plan)
        assert (SECRET in _sensitive_strings(folder)) is marked
        done = run(folder, "check", "{dir}/plan.json", "--format", "json")
        assert (SECRET.encode() in done.stdout + done.stderr) is not marked, done.stderr[-400:]
        assert done.returncode == 1  # TAP008 fails either way


# ------------------------------------------------------------------ the matching rule


def _secrets(*values: object) -> Secrets:
    out: set[str] = set()
    for value in values:
        spellings(value, out)
    return Secrets.of(out)


@pytest.mark.parametrize(
    ("value", "text", "leaks"),
    [
        ("led", "the rule failed", False),  # inside a word: not a short value's token
        ("led", "status: led", True),
        ("Qz", "/aws/lambda/Qz", True),
        ("Qz", "/aws/lambda/Qzx", False),
        (1, "retention 14 days", False),
        (1, "statement 1 grants", True),
        ("-1", "index x-1", True),  # no letter or digit at its start: no boundary there
        ("abcd", "xxabcdxx", True),  # four characters and more: anywhere
        ('it\'s "q"', 'name "it\'s \\"q\\""', True),  # as JSON quotes it
        (True, "force_destroy = true", False),  # booleans: the taint only
        ("true", "force_destroy = true", False),
        ("---", "a --- b", False),  # no letter or digit: never searched
        ("", "anything", False),
        (None, "null", False),
        ([True, False], "flags [true, false]", True),  # the JSON of the whole list
        ([True, False], "flags [true,false]", True),
        ({"k": "v1"}, 'tags {"k": "v1"}', True),
        ({"k": ["S3CR3T-COPY-MARKER"]}, "owner S3CR3T-COPY-MARKER", True),  # its leaves
        (14.0, "retention 14 days", True),  # an integral float as it prints
    ],
)
def test_the_matching_rule(value: object, text: str, leaks: bool) -> None:
    assert _secrets(value).leak(text) is leaks


def test_texts_are_replaced_whole_and_verdict_fields_never() -> None:
    finding = Finding(
        rule_id="TAP008",
        engine="checkov",
        engine_check_id="CKV_TAP_008",
        status=Status.FAILED,
        severity=Severity.HIGH,
        incident=8,
        title="Log groups",
        address=f'aws_s3_bucket.b["{SECRET}"]',
        attribute=SECRET,
        message=f"checkov CKV_TAP_008: name /aws/lambda/{SECRET} is wrong",
        remediation="fix it",
        input="plan.json",
        evidence=f"source {SECRET}.tf:3",
        waiver=f"waived: {SECRET}",
    )
    hidden = hide_copies(finding, _secrets(SECRET))
    assert hidden.message == hidden.evidence == hidden.waiver == REDACTED_COPY
    assert hidden.remediation == "fix it"
    assert (hidden.status, hidden.address, hidden.attribute, hidden.rule_id) == (
        finding.status,
        finding.address,
        finding.attribute,
        finding.rule_id,
    )


def test_many_secrets_take_the_indexed_path_and_find_the_same() -> None:
    """Past `FEW` spellings the search goes through n-grams and words: same answers."""
    many = _secrets(*(f"password-{n:04d}" for n in range(100)), *range(-99, 100))
    assert len(many.anywhere) > FEW and len(many.mixed) > FEW and many.prefixes
    assert many.leak("user password-0042 set")
    assert not many.leak("user password-0100 set")
    assert many.leak("retention 42 days") and not many.leak("retention 420 days")
    assert many.leak("offset x-7 applied") and not many.leak("offset 700-x")
    assert not many.leak("the rule failed")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_value_marked_in_one_input_is_hidden_in_the_others(jobs: str, tmp_path: Path) -> None:
    """One report shows every input: a value marked in one is hidden where another copies it
    (`--jobs 2` checks them in separate processes, which hand their spellings back)."""
    marks, copies = canonical_plan(), canonical_plan()
    _variable(marks, True)
    _into_function_name(copies)
    for name, plan in (("marks", marks), ("copies", copies)):
        (tmp_path / name).mkdir()
        write_plan(tmp_path / name, plan)
    done = run(tmp_path, "check", "--jobs", jobs, "marks/plan.json", "copies/plan.json")
    assert done.returncode == 1, done.stderr[-400:]
    assert SECRET.encode() not in done.stdout + done.stderr
    assert REDACTED_COPY.encode() in done.stdout
