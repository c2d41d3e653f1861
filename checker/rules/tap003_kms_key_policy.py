"""TAP003: the CMK policy lets CloudWatch Logs and Lambda use the key, with ViaService-scoped grants.

Why: a key policy that only trusts the account root blocks the regional logs
service and Lambda: log groups cannot be encrypted and data keys fail
intermittently (incident 3).

Anti-pattern: no statement for `logs.<region>.amazonaws.com`; Lambda allowed
`kms:CreateGrant` without `kms:ViaService` and `kms:GrantIsForAWSResource`; a
region other than the provider's; a policy that drops the account root.
Best practice: keep the root statement, allow `logs.<region>.amazonaws.com` and
`lambda.amazonaws.com` Encrypt/Decrypt/GenerateDataKey*/DescribeKey, and let
Lambda `CreateGrant` only with `kms:ViaService = lambda.<region>.amazonaws.com`
and `kms:GrantIsForAWSResource = true`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity, checked
from checker.rules.iam import (
    Hidden,
    Policy,
    Statement,
    Tri,
    actions_covered,
    all_true,
    any_true,
    condition_requires,
    policy_at,
    principal_matches,
)
from checker.rules.links import linked

META = RuleMeta(
    id="TAP003",
    title="CMK policy lets CloudWatch Logs and Lambda use the key (ViaService-scoped grants)",
    severity=Severity.CRITICAL,
    incident=3,
    rationale=(
        "Log groups and Lambda encrypted with a CMK need the key policy to trust the regional "
        "logs service and Lambda; grants must be scoped to Lambda acting for AWS resources."
    ),
    remediation=(
        "In the key policy keep the account-root statement; allow Service "
        '"logs.<region>.amazonaws.com" and "lambda.amazonaws.com" kms:Encrypt, kms:Decrypt, '
        "kms:GenerateDataKey*, kms:DescribeKey; allow lambda.amazonaws.com kms:CreateGrant with "
        'StringEquals kms:ViaService = "lambda.<region>.amazonaws.com" and Bool '
        "kms:GrantIsForAWSResource = true."
    ),
    resource_types=("aws_kms_key", "aws_kms_key_policy"),
)

USE_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey")
ROOT = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:root$|^\d{12}$")
ROOT_TEMPLATE = re.compile(
    r"^arn:(?:aws[\w-]*|\$\{[^}]*partition\}):iam::(?:\d{12}|\$\{[^}]*account_id\}):root$"
)


def keys_in_use(model: PlanModel) -> dict[str, Instance]:
    """Every aws_kms_key a log group or a Lambda function uses."""
    keys: dict[str, Instance] = {}
    for type_, attr in (
        ("aws_cloudwatch_log_group", "kms_key_id"),
        ("aws_lambda_function", "kms_key_arn"),
    ):
        for inst in model.resources(type_):
            for key in linked(model, inst, (attr,), ("aws_kms_key",)):
                keys.setdefault(key.address, key)
            for alias in linked(model, inst, (attr,), ("aws_kms_alias",)):
                for key in linked(model, alias, ("target_key_id",), ("aws_kms_key",)):
                    keys.setdefault(key.address, key)
    return keys


def key_policy(model: PlanModel, key: Instance) -> Policy:
    for attached in model.resources("aws_kms_key_policy"):
        if key in linked(model, attached, ("key_id",), ("aws_kms_key",)):
            return policy_at(model, attached, "policy")
    return policy_at(model, key, "policy")


def _allows(stmt: Statement, service: str, actions: tuple[str, ...]) -> Tri:
    if not stmt.allows:
        return False
    return all_true(
        [principal_matches(stmt, "Service", service)]
        + [actions_covered(stmt, action) for action in actions]
    )


def _root_admin(stmt: Statement) -> Tri:
    if not stmt.allows or not isinstance(stmt.principals, dict):
        return False if not isinstance(stmt.principals, Unknown) else None
    ids = [i for key, values in stmt.principals.items() if key.lower() == "aws" for i in values]
    root: list[Tri] = []
    for ident in ids:
        if isinstance(ident, str):
            root.append(bool(ROOT.match(ident)))
        elif isinstance(ident, Unknown) and (ident.parts or ident.reference):
            # "arn:aws:iam::${data.aws_caller_identity.x.account_id}:root": the root of this account
            root.append(True if ROOT_TEMPLATE.match(ident.text()) else None)
        else:
            root.append(None)
    return all_true([any_true(root), actions_covered(stmt, "kms:PutKeyPolicy")])


def _describe_grant(statements: list[Statement]) -> str:
    if not statements:
        return "no statement lets lambda.amazonaws.com kms:CreateGrant"
    stmt = statements[0]
    if isinstance(stmt.conditions, Hidden) or not stmt.conditions:
        return (
            f"statement {stmt.index} lets lambda.amazonaws.com kms:CreateGrant without conditions"
        )
    conditions = ", ".join(
        f"{c.operator} {c.key} = {', '.join(map(str, c.values))}" for c in stmt.conditions
    )
    return f"statement {stmt.index} lets lambda.amazonaws.com kms:CreateGrant with {conditions}"


def judge_policy(policy: Policy, region: str) -> tuple[Tri, str, str]:
    """(verdict, what was found, what is expected)."""
    statements = policy.statements
    logs = f"logs.{region}.amazonaws.com"
    via = f"lambda.{region}.amazonaws.com"
    uses = ", ".join(USE_ACTIONS)
    checks: list[tuple[Tri, str, str]] = [
        (
            any_true([_root_admin(s) for s in statements]),
            "no statement keeps the account root as key administrator (kms:*)",
            "the account root allowed kms:* (no lock-out)",
        ),
        (
            any_true([_allows(s, logs, USE_ACTIONS) for s in statements]),
            f"no statement allows Service {logs} all of {uses}",
            f"Service {logs} allowed {uses}",
        ),
        (
            all_true(
                [
                    any_true([_allows(s, "lambda.amazonaws.com", (a,)) for s in statements])
                    for a in USE_ACTIONS
                ]
            ),
            f"lambda.amazonaws.com is not allowed all of {uses}",
            f"Service lambda.amazonaws.com allowed {uses}",
        ),
    ]
    grants = [
        s
        for s in statements
        if _allows(s, "lambda.amazonaws.com", ("kms:CreateGrant",)) is not False
    ]
    scoped = [
        all_true(
            [
                condition_requires(s, "kms:ViaService", via),
                condition_requires(s, "kms:GrantIsForAWSResource", "true"),
            ]
        )
        for s in grants
    ]
    unscoped = [s for s, ok in zip(grants, scoped, strict=True) if ok is not True]
    checks.append(
        (
            all_true(scoped) if grants else False,
            _describe_grant(unscoped or grants),
            f"kms:CreateGrant for lambda.amazonaws.com only with kms:ViaService = {via} "
            "and kms:GrantIsForAWSResource = true",
        )
    )
    for verdict, found, expected in checks:
        if verdict is False:
            return False, found, expected
    for verdict, _found, expected in checks:
        if verdict is None:
            return None, f"cannot confirm {expected}", expected
    return True, "", ""


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    for key in keys_in_use(model).values():
        policy = key_policy(model, key)
        if not policy.complete:
            yield Result.unknown(
                key.address,
                "policy",
                policy.reason,
                f"a key policy readable in {checked(model)}",
            )
            continue
        region = model.region_of(key)
        if region is None:
            yield Result.unknown(
                key.address, "policy", f"the region of {key.address}'s provider is unknown"
            )
            continue
        if not policy.statements and key.get("policy") is None:
            yield Result.failed(
                key.address,
                "policy",
                "no key policy: the default policy trusts only the account root",
                "statements for CloudWatch Logs and Lambda",
            )
            continue
        verdict, found, expected = judge_policy(policy, region)
        where = policy.origins[0] if policy.origins else key.address
        if verdict is False:
            yield Result.failed(key.address, "policy", f"{where}: {found}", expected)
        elif verdict is None:
            yield Result.unknown(
                key.address, "policy", f"{found}: part of {where} is only known after apply"
            )
        else:
            yield Result.passed(
                key.address,
                "policy",
                f"key policy trusts the root, logs.{region}.amazonaws.com and Lambda with "
                "ViaService-scoped grants",
            )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
