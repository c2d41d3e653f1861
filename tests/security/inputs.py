"""Hostile inputs, built from the canonical stack: plans, `.tf` directories, configs, waivers.

Each builder writes what a pull request could commit into a scratch folder and
returns nothing; the cases in `cases.py` name a builder, a command and what
must (and must not) come out.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from tests.support.builtin import BUILTIN_IDS
from tests.support.canonical_stack import FIXTURE, ROOT

SECRET = "S3CR3T-MARKER"  # distinctive: it cannot appear in a report by chance
OUTSIDE = "OUTSIDE-ROOT-MARKER"
FILE_CONTENT = "TF-FILE-CONTENT-MARKER"

Builder = Callable[[Path], None]


@cache
def _canonical() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def canonical_plan() -> dict[str, Any]:
    return copy.deepcopy(_canonical())


def change_of(plan: dict[str, Any], address: str) -> dict[str, Any]:
    for rc in plan["resource_changes"]:
        if rc["address"] == address:
            change: dict[str, Any] = rc["change"]
            return change
    raise KeyError(address)


def write_plan(folder: Path, plan: dict[str, Any], name: str = "plan.json") -> None:
    (folder / name).write_text(json.dumps(plan), encoding="utf-8")


def pitr_off(plan: dict[str, Any]) -> None:
    """TAP010 fails: the table has point-in-time recovery disabled."""
    change_of(plan, "aws_dynamodb_table.main")["after"]["point_in_time_recovery"] = [
        {"enabled": False}
    ]


def sensitive_variable(plan: dict[str, Any], value: Any) -> None:
    """A sensitive root variable whose value also fills a sensitive attribute of the table."""
    plan["variables"]["db_secret"] = {"value": value}
    plan["configuration"]["root_module"]["variables"]["db_secret"] = {"sensitive": True}
    change = change_of(plan, "aws_dynamodb_table.main")
    change["after"]["tags"] = {"Secret": value}
    change["after_sensitive"]["tags"] = True


def failing_plan_with_secret(value: Any) -> Builder:
    def build(folder: Path) -> None:
        plan = canonical_plan()
        pitr_off(plan)
        sensitive_variable(plan, value)
        write_plan(folder, plan)

    return build


def sensitive_policy(folder: Path) -> None:
    """A policy document marked sensitive whose (wrong) table ARN a rule would print."""
    plan = canonical_plan()
    change = change_of(plan, "data.aws_iam_policy_document.lambda")
    statement = change["after"]["statement"][0]
    statement["actions"] = ["dynamodb:*"]
    statement["resources"] = [f'arn:aws:dynamodb:us-east-1:123456789012:table/{SECRET}"\\\nx']
    change["after_unknown"]["statement"][0] = {"actions": [False]}
    change["after_sensitive"]["statement"] = True
    write_plan(folder, plan)


def sensitive_function_name(value: str) -> Builder:
    """The function's name is sensitive, and the rule that reads it (TAP008) fails."""

    def build(folder: Path) -> None:
        plan = canonical_plan()
        change = change_of(plan, "aws_lambda_function.processor")
        change["after"]["function_name"] = value
        change["after_sensitive"]["function_name"] = True
        write_plan(folder, plan)

    return build


def sensitive_numbers(folder: Path) -> None:
    """Sensitive number and boolean on attributes rules read and print."""
    plan = canonical_plan()
    group = change_of(plan, "aws_cloudwatch_log_group.lambda")
    group["after"]["retention_in_days"] = 987654321
    group["after_sensitive"]["retention_in_days"] = True
    bucket = change_of(plan, "aws_s3_bucket.content")
    bucket["after"]["force_destroy"] = False
    bucket["after_sensitive"]["force_destroy"] = True
    write_plan(folder, plan)


# ------------------------------------------------------------------ sources


def stack(folder: Path, edit: Callable[[str], str] = lambda text: text) -> None:
    """tap_stack.tf (edited) and its handler in `folder`."""
    (folder / "lambda").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "lambda" / "index.py", folder / "lambda" / "index.py")
    text = (ROOT / "tap_stack.tf").read_text(encoding="utf-8")
    (folder / "tap_stack.tf").write_text(edit(text), encoding="utf-8")


TLS_VALUES = 'values   = ["false"]'


VIA_SERVICE = 'values   = ["lambda.${local.region}.amazonaws.com"]'


def static_sensitive(folder: Path) -> None:
    """A sensitive variable reaches policy conditions through functions, a map and a child module."""

    def edit(text: str) -> str:
        extra = (
            f'variable "tls_flag" {{\n  sensitive = true\n  default = "{SECRET}"\n}}\n'
            'locals {\n  flags = { tls = replace(lower(var.tls_flag), "-", "_") }\n}\n'
            'module "naming" {\n  source = "./naming"\n  seed   = local.flags["tls"]\n}\n'
        )
        text = text.replace(TLS_VALUES, 'values   = [upper(local.flags["tls"])]', 1)
        text = text.replace(
            "  function_name    = local.function_name\n",
            '  function_name    = "fn-${local.flags["tls"]}"\n',
            1,
        )
        return extra + text.replace(VIA_SERVICE, "values   = [module.naming.service]", 1)

    stack(folder, edit)
    (folder / "naming").mkdir()
    (folder / "naming" / "main.tf").write_text(
        'variable "seed" {}\noutput "service" {\n  value = "via-${var.seed}"\n}\n'
        'resource "aws_s3_bucket" "named" {\n  bucket = "b-${var.seed}"\n  force_destroy = true\n}\n',
        encoding="utf-8",
    )


def user_data(script_expression: str) -> Builder:
    """The proof instance's user data replaced by an expression."""

    def build(folder: Path) -> None:
        def edit(text: str) -> str:
            start = text.index("  user_data = <<-EOT")
            end = text.index("  EOT\n", start) + len("  EOT\n")
            return text[:start] + f"  user_data = {script_expression}\n" + text[end:]

        stack(folder, edit)

    return build


def read_outside(expression: str) -> Builder:
    """User data that reads a file the stack must not reach."""

    def build(folder: Path) -> None:
        (folder / "outside.txt").write_text(f"{OUTSIDE}\n", encoding="utf-8")
        user_data(expression)(folder / "stack")

    return build


def symlinked_file(folder: Path) -> None:
    (folder / "outside.txt").write_text(f"{OUTSIDE}\n", encoding="utf-8")
    user_data('file("${path.module}/script.sh")')(folder / "stack")
    os.symlink(folder / "outside.txt", folder / "stack" / "script.sh")


def symlinked_tf(folder: Path) -> None:
    (folder / "evil").mkdir()
    (folder / "evil" / "evil.tf").write_text(
        f'resource "aws_s3_bucket" "evil" {{\n  bucket = "{OUTSIDE}"\n}}\n', encoding="utf-8"
    )
    stack(folder / "stack")
    os.symlink(folder / "evil" / "evil.tf", folder / "stack" / "evil.tf")


def unparsable_tf(folder: Path) -> None:
    stack(folder)
    (folder / "broken.tf").write_text(
        f'resource "aws_s3_bucket" "b" {{\n  bucket = "{FILE_CONTENT}" "{FILE_CONTENT}\n}}\n',
        encoding="utf-8",
    )


def exponential_locals(folder: Path) -> None:
    lines = ['  a0 = "xy"'] + [
        f'  a{n} = "${{local.a{n - 1}}}${{local.a{n - 1}}}"' for n in range(1, 64)
    ]
    text = "locals {\n" + "\n".join(lines) + "\n}\n"
    user_data("local.a63")(folder)
    (folder / "bomb.tf").write_text(text, encoding="utf-8")


def recursive_template(folder: Path) -> None:
    user_data('templatefile("${path.module}/self.tpl", {})')(folder)
    (folder / "self.tpl").write_text('${templatefile("self.tpl", {})}\n', encoding="utf-8")


def self_calling_module(folder: Path) -> None:
    stack(folder)
    (folder / "me.tf").write_text('module "me" {\n  source = "./"\n}\n', encoding="utf-8")
    for name, other in (("a", "b"), ("b", "a")):
        (folder / name).mkdir()
        (folder / name / "main.tf").write_text(
            f'module "{other}" {{\n  source = "../{other}"\n}}\n'
            f'resource "aws_s3_bucket" "{name}" {{\n  bucket = "{name}"\n}}\n',
            encoding="utf-8",
        )
    (folder / "ab.tf").write_text('module "a" {\n  source = "./a"\n}\n', encoding="utf-8")


def device_in_root(folder: Path) -> None:
    """A committed symlink to a device inside the stack: not a regular file, not read."""
    user_data('file("${path.module}/random.sh")')(folder)
    os.symlink("/dev/urandom", folder / "random.sh")


def huge_count(folder: Path) -> None:
    stack(folder)
    (folder / "many.tf").write_text(
        'resource "aws_s3_bucket" "many" {\n  count = 100000000\n  bucket = "b"\n}\n',
        encoding="utf-8",
    )


def with_plan_and_sources(build_sources: Builder) -> Builder:
    """The canonical plan beside hostile sources: plan mode binds them."""

    def build(folder: Path) -> None:
        build_sources(folder)
        write_plan(folder, canonical_plan())

    return build


# ------------------------------------------------------------------ configuration


def failing_plan_beside(name: str, text: str) -> Builder:
    """A plan TAP010 fails, and a file from the pull request next to it."""

    def build(folder: Path) -> None:
        plan = canonical_plan()
        pitr_off(plan)
        write_plan(folder, plan)
        (folder / name).write_text(text, encoding="utf-8")

    return build


def config(text: str) -> Builder:
    return failing_plan_beside("checker.toml", text)


def every_rule_disabled(folder: Path) -> None:
    ids = ", ".join(f'"{i}"' for i in BUILTIN_IDS)
    config(f"disabled = [{ids}]\n")(folder)


def nested_toml(folder: Path) -> None:
    config("x = " + "[" * 5000 + "]" * 5000 + "\n")(folder)


# ------------------------------------------------------------------ outputs


EVIL = "\x1b[31m\n::error::pwned\n::add-mask::x ![img](https://evil.example/x.png) <img src=x> [link](https://evil.example) @admin"


def evil_addresses(folder: Path) -> None:
    """for_each keys are printed in addresses: a crafted plan puts markup and commands there."""
    plan = canonical_plan()
    pitr_off(plan)
    for rc in plan["resource_changes"]:
        if rc["address"] == "aws_dynamodb_table.main":
            rc["address"] = f'aws_dynamodb_table.main["{EVIL}"]'
            rc["index"] = EVIL
    write_plan(folder, plan)


def evil_report(folder: Path) -> None:
    """A saved report whose free-text fields carry markup and commands."""
    finding = {
        "rule_id": "TAP010",
        "engine": "native",
        "engine_check_id": "TAP010",
        "status": "failed",
        "severity": "medium",
        "incident": 10,
        "title": EVIL,
        "address": EVIL,
        "attribute": EVIL,
        "message": EVIL,
        "remediation": EVIL,
        "input": EVIL,
    }
    write_report(folder, [finding])


def write_report(folder: Path, findings: list[Any], **summary: Any) -> None:
    report = {
        "schema": "checker.report/v1",
        "tool": {"name": "checker", "version": "0.1.0"},
        "inputs": [{"path": "plan.json", "kind": "plan"}],
        "summary": {"gate": "failed", **summary},
        "findings": findings,
    }
    (folder / "report.json").write_text(json.dumps(report), encoding="utf-8")


def tampered_report(finding: Any) -> Builder:
    def build(folder: Path) -> None:
        write_report(folder, [finding])

    return build


def good_finding(**changes: Any) -> dict[str, Any]:
    base = {
        "rule_id": "TAP010",
        "engine": "native",
        "engine_check_id": "TAP010",
        "status": "failed",
        "severity": "medium",
        "incident": 10,
        "title": "t",
        "address": "a",
        "attribute": "b",
        "message": "m",
        "remediation": "r",
        "input": "plan.json",
    }
    return {**base, **changes}


# ------------------------------------------------------------------ waivers and plans


BILLION_LAUGHS = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    + "waivers:\n  - rule: TAP010\n    address: *i\n    owner: x\n    reason: x\n    expires: 2099-01-01\n"
)


def waiver_file(text: str) -> Builder:
    return failing_plan_beside("waivers.yaml", text)


def raw_plan(text: str) -> Builder:
    def build(folder: Path) -> None:
        (folder / "plan.json").write_text(text, encoding="utf-8")

    return build


def edited_plan(edit: Callable[[dict[str, Any]], None]) -> Builder:
    def build(folder: Path) -> None:
        plan = canonical_plan()
        edit(plan)
        write_plan(folder, plan)

    return build


def errored(plan: dict[str, Any]) -> None:
    plan["errored"] = True


def no_resources(plan: dict[str, Any]) -> None:
    for key in ("resource_changes", "resource_drift"):
        plan[key] = []
    plan["planned_values"] = {"root_module": {}}
    plan["prior_state"] = {"format_version": "1.0", "values": {"root_module": {}}}
    plan["configuration"] = {"root_module": {}}
    plan["output_changes"] = {}


def version(value: str) -> Callable[[dict[str, Any]], None]:
    def edit(plan: dict[str, Any]) -> None:
        plan["format_version"] = value

    return edit
