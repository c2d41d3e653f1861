"""The security suite as data: an input, a command, and the safe behaviour expected of it.

`{dir}` in an argument is the scratch folder the builder wrote. Every case runs
in a child process limited to 20 s and 1.5 GB; cases with `formats` run once per
output format, stdout and a written `--output` file both inspected as bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.security import inputs as build
from tests.security.inputs import FILE_CONTENT, OUTSIDE, SECRET, Builder
from tests.support.builtin import BUILTIN_IDS

Check = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Case:
    id: str
    threat: str  # the class of docs/security.md it reproduces
    builder: Builder
    args: tuple[str, ...]
    exit: int
    forbidden: tuple[str, ...] = ()  # never in stdout, stderr or a written file
    required: tuple[str, ...] = ()  # in stdout or stderr
    formats: bool = False  # run every --format, not only json
    check: Check | None = None  # on the JSON report
    env: dict[str, str] = field(default_factory=dict)


def failed_rules(*rule_ids: str) -> Check:
    def check(report: dict[str, Any]) -> None:
        failed = {f["rule_id"] for f in report["findings"] if f["status"] == "failed"}
        assert set(rule_ids) <= failed, failed
        assert report["summary"]["gate"] == "failed"

    return check


def hidden(rule_id: str, address: str) -> Check:
    """The finding is there, with its verdict, and its display text is redacted."""

    def check(report: dict[str, Any]) -> None:
        found = [
            f for f in report["findings"] if f["rule_id"] == rule_id and f["address"] == address
        ]
        assert found and all("(sensitive)" in f["message"] for f in found), found
        assert all(f["status"] in ("passed", "failed", "unknown") for f in found)

    return check


def status_of(rule_id: str, address: str, status: str) -> Check:
    def check(report: dict[str, Any]) -> None:
        found = {
            f["status"]
            for f in report["findings"]
            if f["rule_id"] == rule_id and f["address"] == address
        }
        assert found == {status}, (rule_id, address, found)

    return check


def all_of(*checks: Check) -> Check:
    def check(report: dict[str, Any]) -> None:
        for one in checks:
            one(report)

    return check


def disabled_all(report: dict[str, Any]) -> None:
    assert report["summary"]["disabled"] == list(BUILTIN_IDS)
    assert any("rules disabled" in w for w in report["warnings"])


def empty_plan_warned(report: dict[str, Any]) -> None:
    assert report["findings"] == []
    assert any("no resources" in w for w in report["warnings"])


PLAN = ("check", "{dir}/plan.json")
STATIC = ("check", "{dir}")
STATIC_STACK = ("check", "{dir}/stack")
CONFIG = ("--config", "{dir}/checker.toml")

CASES: tuple[Case, ...] = (
    # 1. Redaction never changes a verdict; values are redacted, not their text.
    *(
        Case(
            f"sensitive-value-{name}",
            "redaction",
            build.failing_plan_with_secret(value),
            PLAN,
            exit=1,
            formats=True,
            check=failed_rules("TAP010"),
        )
        for name, value in (
            ("led", "led"),
            ("medium", "medium"),
            ("rule-id", "TAP010"),
            ("failed", "failed"),
            ("f", "f"),
        )
    ),
    Case(
        "sensitive-policy-statement",
        "redaction",
        build.sensitive_policy,
        PLAN,
        exit=1,
        forbidden=(SECRET,),
        formats=True,
        check=all_of(failed_rules("TAP002"), hidden("TAP002", "aws_iam_role.lambda")),
    ),
    Case(
        "sensitive-name-with-quotes-newline-backslash",
        "redaction",
        build.sensitive_function_name(f"{SECRET}\"\\\n'x"),
        PLAN,
        exit=1,
        forbidden=(SECRET,),
        formats=True,
        check=hidden("TAP008", "aws_lambda_function.processor"),
    ),
    Case(
        "sensitive-short-name",
        "redaction",
        build.sensitive_function_name("Qz"),
        PLAN,
        exit=1,
        forbidden=("/aws/lambda/Qz",),
        formats=True,
        check=hidden("TAP008", "aws_lambda_function.processor"),
    ),
    Case(
        "sensitive-number-and-boolean",
        "redaction",
        build.sensitive_numbers,
        PLAN,
        exit=1,
        forbidden=("987654321",),
        formats=True,
        check=all_of(
            hidden("TAP008", "aws_cloudwatch_log_group.lambda"),
            hidden("TAP011", "aws_s3_bucket.content"),
        ),
    ),
    Case(
        "static-sensitive-through-functions-and-maps",
        "redaction",
        build.static_sensitive,
        STATIC,
        exit=1,
        forbidden=("S3CR3T", "s3cr3t"),
        formats=True,
        check=all_of(
            failed_rules("TAP004", "TAP008"), hidden("TAP008", "aws_lambda_function.processor")
        ),
    ),
    # 2. Sources are confined to the checked directory.
    *(
        Case(
            f"file-{name}",
            "confinement",
            build.read_outside(expression),
            STATIC_STACK,
            exit=0,
            forbidden=(OUTSIDE, "root:x:0:0", "CHECKER_ENV_MARKER"),
            formats=True,
            check=status_of("TAP012", "aws_instance.proof", "unknown"),
            env={"CHECKER_SECURITY": "CHECKER_ENV_MARKER"},
        )
        for name, expression in (
            ("parent", 'file("../outside.txt")'),
            ("absolute", 'file("/etc/passwd")'),
            ("proc-environ", 'file("/proc/self/environ")'),
            ("templatefile-escape", 'templatefile("${path.module}/../outside.txt", {})'),
        )
    ),
    Case(
        "file-symlink-leaving-root",
        "confinement",
        build.symlinked_file,
        STATIC_STACK,
        exit=0,
        forbidden=(OUTSIDE,),
        formats=True,
        check=status_of("TAP012", "aws_instance.proof", "unknown"),
    ),
    Case(
        "tf-symlink-leaving-root",
        "confinement",
        build.symlinked_tf,
        STATIC_STACK,
        exit=0,
        forbidden=(OUTSIDE, "aws_s3_bucket.evil"),
        formats=True,
    ),
    Case(
        "parse-error-shows-no-content",
        "confinement",
        build.unparsable_tf,
        STATIC,
        exit=2,
        forbidden=(FILE_CONTENT,),
        required=("broken.tf", "line 2"),
    ),
    Case(
        "plan-with-sources-reading-outside",
        "confinement",
        build.with_plan_and_sources(build.read_outside('file("../outside.txt")')),
        ("check", "{dir}/plan.json", "--source", "{dir}/stack"),
        exit=0,
        forbidden=(OUTSIDE,),
        formats=True,
    ),
    # 3. Evaluation is bounded.
    Case(
        "exponential-locals",
        "bounds",
        build.exponential_locals,
        STATIC,
        exit=0,
        check=status_of("TAP012", "aws_instance.proof", "unknown"),
    ),
    Case(
        "exponential-locals-plan-mode",
        "bounds",
        build.with_plan_and_sources(build.exponential_locals),
        PLAN,
        exit=0,
    ),
    *(
        Case(
            name,
            "bounds",
            builder,
            STATIC,
            exit=0,
            check=status_of("TAP012", "aws_instance.proof", "unknown"),
        )
        for name, builder in (
            ("recursive-templatefile", build.recursive_template),
            ("file-dev-zero", build.user_data('file("/dev/zero")')),
            ("file-dev-stdin", build.user_data('file("/dev/stdin")')),
            ("file-dev-random-in-root", build.device_in_root),
        )
    ),
    # The extra buckets these add have no companions: TAP005 fails them, which proves they were read.
    Case(
        "module-self-call-and-cycle",
        "bounds",
        build.self_calling_module,
        STATIC,
        exit=1,
        check=status_of("TAP005", "module.a.aws_s3_bucket.a", "failed"),
    ),
    Case(
        "huge-count",
        "bounds",
        build.huge_count,
        STATIC,
        exit=1,
        check=status_of("TAP005", "aws_s3_bucket.many", "failed"),
    ),
    # 4. Configuration from the pull request is visible and validated.
    Case(
        "every-rule-disabled",
        "config",
        build.every_rule_disabled,
        (*PLAN, *CONFIG),
        exit=0,
        formats=True,
        required=("rules disabled",),
        check=disabled_all,
    ),
    Case(
        "unknown-rule-disabled",
        "config",
        build.config('disabled = ["TAP999"]\n'),
        (*PLAN, *CONFIG),
        exit=2,
        required=("TAP999",),
    ),
    Case(
        "unknown-rule-table",
        "config",
        build.config("[rules.NOPE001]\nenabled = false\n"),
        (*PLAN, *CONFIG),
        exit=2,
        required=("NOPE001",),
    ),
    Case(
        "unknown-option",
        "config",
        build.config("[rules.TAP007]\nroute = ['POST /process']\n"),
        (*PLAN, *CONFIG),
        exit=2,
        required=("route",),
    ),
    Case(
        "wrongly-typed-option",
        "config",
        build.config("[rules.TAP007]\nroutes = 'POST /process'\n"),
        (*PLAN, *CONFIG),
        exit=2,
        required=("routes",),
    ),
    Case(
        "wrongly-typed-enabled",
        "config",
        build.config("[rules.TAP010]\nenabled = 'no'\n"),
        (*PLAN, *CONFIG),
        exit=2,
        required=("enabled",),
    ),
    Case(
        "unknown-top-level-key",
        "config",
        build.config("disable = ['TAP010']\n"),
        (*PLAN, *CONFIG),
        exit=2,
        required=("disable",),
    ),
    Case("deeply-nested-toml", "config", build.nested_toml, (*PLAN, *CONFIG), exit=2),
    # 5. Outputs are inert.
    Case(
        "markup-and-commands-in-addresses",
        "outputs",
        build.evil_addresses,
        PLAN,
        exit=1,
        forbidden=("\x1b",),
        formats=True,
    ),
    Case(
        "markup-and-commands-in-a-saved-report",
        "outputs",
        build.evil_report,
        ("report", "{dir}/report.json"),
        exit=1,
        forbidden=("\x1b",),
        formats=True,
    ),
    # 6. Waivers and reports are data.
    Case(
        "billion-laughs-waivers",
        "data",
        build.waiver_file(build.BILLION_LAUGHS),
        (*PLAN, "--waivers", "{dir}/waivers.yaml"),
        exit=2,
        required=("anchors and aliases",),
    ),
    Case(
        "waiver-field-not-a-string",
        "data",
        build.waiver_file(
            "waivers:\n  - rule: TAP010\n    address: [a, b]\n    owner: x\n    reason: y\n    expires: 2099-01-01\n"
        ),
        (*PLAN, "--waivers", "{dir}/waivers.yaml"),
        exit=2,
        required=("line 2", "address"),
    ),
    *(
        Case(
            f"tampered-report-{name}",
            "data",
            build.tampered_report(finding),
            ("report", "{dir}/report.json", "--format", "sarif"),
            exit=2,
            required=("malformed checker report",),
        )
        for name, finding in (
            ("finding-not-an-object", "TAP010"),
            ("unknown-status", build.good_finding(status="passed-ish")),
            ("unknown-severity", build.good_finding(severity="<b>")),
            ("unknown-rule", build.good_finding(rule_id="TAP999")),
            ("malformed-rule", build.good_finding(rule_id="<script>")),
            ("wrong-type", build.good_finding(incident="10")),
        )
    ),
    Case(
        "apply-with-a-bad-report-path",
        "data",
        build.edited_plan(lambda plan: None),
        ("apply", "--report", "{dir}/missing/dir/report.json"),
        exit=2,
        required=("--report",),
    ),
    # 7. Plans that cannot be judged do not pass.
    Case(
        "errored-plan",
        "plans",
        build.edited_plan(build.errored),
        PLAN,
        exit=2,
        required=("errored",),
    ),
    Case(
        "plan-without-resources",
        "plans",
        build.edited_plan(build.no_resources),
        PLAN,
        exit=0,
        required=("no resources",),
        check=empty_plan_warned,
    ),
    Case(
        "nan-in-plan",
        "plans",
        build.raw_plan(
            json.dumps(build.canonical_plan()).replace('"timeout": 30', '"timeout": NaN', 1)
        ),
        PLAN,
        exit=2,
        required=("NaN",),
    ),
    Case(
        "infinity-in-plan",
        "plans",
        build.raw_plan(
            json.dumps(build.canonical_plan()).replace('"timeout": 30', '"timeout": -Infinity', 1)
        ),
        PLAN,
        exit=2,
        required=("Infinity",),
    ),
    *(
        Case(
            f"format-version-{name}",
            "plans",
            build.edited_plan(build.version(value)),
            PLAN,
            exit=2,
            required=("format_version",),
        )
        for name, value in (
            ("three-parts", "1.2.3"),
            ("letters", "1.x"),
            ("empty", ""),
            ("padded", " 1.2"),
        )
    ),
    # 8. TAP012 reads commands, not text.
    Case(
        "fallback-only-in-a-comment",
        "tap012",
        build.user_data(
            '"#!/bin/bash\\n# aws s3api put-object --server-side-encryption aws:kms --ssekms-key-id k\\n'
            'aws s3 cp /tmp/p s3://${aws_s3_bucket.content.bucket}/p\\n"'
        ),
        STATIC,
        exit=1,
        check=status_of("TAP012", "aws_instance.proof", "failed"),
    ),
    Case(
        "fallback-only-in-an-echo",
        "tap012",
        build.user_data(
            "\"#!/bin/bash\\naws s3 cp /tmp/p s3://${aws_s3_bucket.content.bucket}/p || echo 'aws s3api put-object "
            "--server-side-encryption aws:kms --ssekms-key-id k'\\n\""
        ),
        STATIC,
        exit=1,
        check=status_of("TAP012", "aws_instance.proof", "failed"),
    ),
    Case(
        "fallback-as-a-command",
        "tap012",
        build.user_data(
            '"#!/bin/bash\\nif ! aws s3 cp /tmp/p s3://${aws_s3_bucket.content.bucket}/p; then\\n'
            "  aws --region us-east-1 s3api put-object --bucket ${aws_s3_bucket.content.bucket} --key p "
            '--server-side-encryption=aws:kms --ssekms-key-id ${aws_kms_alias.main.name}\\nfi\\n"'
        ),
        STATIC,
        exit=0,
        check=status_of("TAP012", "aws_instance.proof", "passed"),
    ),
)
