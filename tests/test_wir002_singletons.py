"""WIR002 on small plans: settings AWS keeps one of per parent, managed once.

Each plan is rendered from a few `tests.support.plan_builder` resources and checked with the
`wiring` pack on, as the checker checks any plan. The family stacks' mutations
(`tests/stacks/singleton_mutations.py`) judge the rule on real plans.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.rules.registry import optional_pack
from checker.run import CheckOptions, check_inputs
from checker.wiring.singletons import SINGLETONS, Parent
from tests.support.plan_builder import UNKNOWN, Expr, Resource, Stack, render_plan
from tests.support.wiring import WIRING

pytestmark = pytest.mark.fast

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        ],
    }
)


def verdicts(
    tmp_path: Path, *resources: Resource, region: Expr | str = "us-east-1"
) -> dict[str, str]:
    """address -> WIR002's worst verdict there. The provider's region: a plain value is a
    constant of the configuration (`Expr("us-east-1")` would be an expression)."""
    stack = Stack(
        variables=[],
        resources=list(resources),
        outputs=[],
        provider_region=region,  # type: ignore[arg-type]
    )
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(render_plan(stack)), encoding="utf-8")
    report = check_inputs([str(plan)], CheckOptions(), WIRING)
    order = ("failed", "unknown", "passed", "not_applicable")
    out: dict[str, str] = {}
    for f in report.findings:
        if f.rule_id == "WIR002" and (
            f.address not in out or order.index(f.status) < order.index(out[f.address])
        ):
            out[f.address] = f.status
    return out


def bucket(name: str) -> Resource:
    return Resource(f"aws_s3_bucket.{name}", {"bucket": f"tap-{name}"})


def bucket_policy(name: str, of: str, count: int | None = None) -> Resource:
    return Resource(
        f"aws_s3_bucket_policy.{name}",
        {"bucket": Expr.of(UNKNOWN, f"aws_s3_bucket.{of}.id"), "policy": POLICY},
        count=count,
    )


def function(name: str) -> Resource:
    return Resource(
        f"aws_lambda_function.{name}",
        {"function_name": f"tap-{name}", "role": "arn:aws:iam::123456789012:role/r"},
    )


def permission(name: str, of: str, statement: str | None) -> Resource:
    attrs: dict[str, object] = {
        "action": "lambda:InvokeFunction",
        "function_name": Expr.of(f"tap-{of}", f"aws_lambda_function.{of}.function_name"),
        "principal": "s3.amazonaws.com",
    }
    if statement is not None:
        attrs["statement_id"] = statement
    return Resource(f"aws_lambda_permission.{name}", attrs)


def test_two_policies_of_one_bucket_both_fail(tmp_path: Path) -> None:
    got = verdicts(tmp_path, bucket("b"), bucket_policy("tls", "b"), bucket_policy("reads", "b"))
    assert got == {"aws_s3_bucket_policy.tls": "failed", "aws_s3_bucket_policy.reads": "failed"}


def test_policies_of_two_buckets_pass(tmp_path: Path) -> None:
    got = verdicts(
        tmp_path, bucket("a"), bucket("b"), bucket_policy("a", "a"), bucket_policy("b", "b")
    )
    assert got == {"aws_s3_bucket_policy.a": "passed", "aws_s3_bucket_policy.b": "passed"}


def test_a_bucket_only_apply_tells_is_unknown(tmp_path: Path) -> None:
    hidden = Resource(
        "aws_s3_bucket_policy.elsewhere",
        {"bucket": Expr.of(UNKNOWN, "terraform_data.name.output"), "policy": POLICY},
    )
    got = verdicts(tmp_path, bucket("b"), bucket_policy("b", "b"), hidden)
    assert got == {"aws_s3_bucket_policy.b": "passed", "aws_s3_bucket_policy.elsewhere": "unknown"}


def test_a_literal_bucket_name_joins_the_bucket_of_that_name(tmp_path: Path) -> None:
    literal = Resource("aws_s3_bucket_policy.literal", {"bucket": "tap-b", "policy": POLICY})
    got = verdicts(tmp_path, bucket("b"), bucket_policy("b", "b"), literal)
    assert got == {"aws_s3_bucket_policy.b": "failed", "aws_s3_bucket_policy.literal": "failed"}


def test_count_two_of_one_policy_fails_both(tmp_path: Path) -> None:
    got = verdicts(tmp_path, bucket("b"), bucket_policy("p", "b", count=2))
    assert got == {"aws_s3_bucket_policy.p[0]": "failed", "aws_s3_bucket_policy.p[1]": "failed"}


def test_one_statement_id_twice_on_one_function_fails(tmp_path: Path) -> None:
    got = verdicts(
        tmp_path,
        function("f"),
        permission("one", "f", "AllowS3"),
        permission("two", "f", "AllowS3"),
    )
    assert got == {"aws_lambda_permission.one": "failed", "aws_lambda_permission.two": "failed"}


def test_one_statement_id_on_two_functions_passes(tmp_path: Path) -> None:
    got = verdicts(
        tmp_path,
        function("f"),
        function("g"),
        permission("one", "f", "AllowS3"),
        permission("two", "g", "AllowS3"),
    )
    assert got == {"aws_lambda_permission.one": "passed", "aws_lambda_permission.two": "passed"}


def test_two_statement_ids_on_one_function_pass(tmp_path: Path) -> None:
    got = verdicts(
        tmp_path, function("f"), permission("one", "f", "AllowS3"), permission("two", "f", "Other")
    )
    assert got == {"aws_lambda_permission.one": "passed", "aws_lambda_permission.two": "passed"}


def test_a_generated_statement_id_cannot_clash(tmp_path: Path) -> None:
    got = verdicts(
        tmp_path, function("f"), permission("one", "f", None), permission("two", "f", None)
    )
    assert got == {"aws_lambda_permission.one": "passed", "aws_lambda_permission.two": "passed"}


def test_two_api_gateway_accounts_of_one_region_fail(tmp_path: Path) -> None:
    role = "arn:aws:iam::123456789012:role/apigw-logs"
    got = verdicts(
        tmp_path,
        Resource("aws_api_gateway_account.a", {"cloudwatch_role_arn": role}),
        Resource("aws_api_gateway_account.b", {"cloudwatch_role_arn": role}),
    )
    assert got == {"aws_api_gateway_account.a": "failed", "aws_api_gateway_account.b": "failed"}


def test_two_api_gateway_accounts_of_one_provider_fail_whatever_its_region(
    tmp_path: Path,
) -> None:
    role = "arn:aws:iam::123456789012:role/apigw-logs"
    accounts = (
        Resource("aws_api_gateway_account.a", {"cloudwatch_role_arn": role}),
        Resource("aws_api_gateway_account.b", {"cloudwatch_role_arn": role}),
    )
    got = verdicts(tmp_path, *accounts, region=Expr.of("us-east-1", "var.region"))
    assert got == {"aws_api_gateway_account.a": "failed", "aws_api_gateway_account.b": "failed"}
    alone = verdicts(tmp_path, accounts[0], region=Expr.of(UNKNOWN, "terraform_data.r.output"))
    assert alone == {"aws_api_gateway_account.a": "unknown"}


def test_two_exclusive_attachments_of_one_policy_fail(tmp_path: Path) -> None:
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    got = verdicts(
        tmp_path,
        Resource("aws_iam_policy_attachment.a", {"name": "a", "policy_arn": arn, "roles": ["r"]}),
        Resource("aws_iam_policy_attachment.b", {"name": "b", "policy_arn": arn, "users": ["u"]}),
    )
    assert got == {"aws_iam_policy_attachment.a": "failed", "aws_iam_policy_attachment.b": "failed"}


def test_the_table_names_each_type_once_with_its_document() -> None:
    types = [s.type for s in SINGLETONS]
    assert len(types) == len(set(types))
    assert all("(https://" in s.doc for s in SINGLETONS)
    assert all(s.parent_type and s.identity for s in SINGLETONS if s.parent is Parent.RESOURCE)


def test_the_pack_carries_the_rule() -> None:
    rule = next(r for r in optional_pack("wiring") if r.meta.id == "WIR002")
    assert set(rule.meta.resource_types) == {s.type for s in SINGLETONS}
    assert not rule.meta.engines
