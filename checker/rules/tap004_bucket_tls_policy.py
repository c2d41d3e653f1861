"""TAP004: buckets deny non-TLS access without denying the stack's own roles.

Why: enforcing `aws:SecureTransport` with a broad Deny also denied the stack's
own EC2 and Lambda roles (incident 4). The fix keeps one Deny conditioned on
`aws:SecureTransport = false` and nothing that over-restricts or opens the bucket.

Anti-pattern: no TLS Deny; a Deny that covers only the bucket or only its
objects; a Deny without the SecureTransport condition over everyone or the
stack's roles; an Allow to Principal "*".
Best practice: Deny `s3:*` on the bucket ARN and `bucket/*` to Principal `*`
when `aws:SecureTransport` is `false`, and no other broad statement.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown, Value
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity
from checker.rules.iam import (
    Statement,
    Tri,
    action_covered,
    all_true,
    any_true,
    condition_requires,
    has_condition_key,
    policy_at,
    principal_is_everyone,
    resource_entries,
)
from checker.rules.links import ReverseIndex

META = RuleMeta(
    id="TAP004",
    title="Buckets deny non-TLS access without denying the stack's own roles",
    severity=Severity.HIGH,
    incident=4,
    rationale=(
        "Plain-HTTP access must be refused, but a Deny broader than the transport condition "
        "locks out the stack's own clients, and an Allow to everyone opens the bucket."
    ),
    remediation=(
        'Use one statement: Effect "Deny", Principal "*", Action "s3:*", Resource = [bucket ARN, '
        '"<bucket ARN>/*"], Condition Bool aws:SecureTransport = "false"; remove Allow '
        'statements for Principal "*" and Deny statements without that condition.'
    ),
    resource_types=("aws_s3_bucket", "aws_s3_bucket_policy"),
)


def _covers(model: PlanModel, resource: Value, bucket: Instance, objects: bool) -> Tri:
    """Does one Resource entry cover the bucket (objects=False) or its objects?"""
    suffixes = ("/*",) if objects else ("",)
    if isinstance(resource, str):
        if resource in ("*", "arn:aws:s3:::*"):
            return True
        name = bucket.get("bucket")
        if not isinstance(name, str):
            return None
        arn = f"arn:aws:s3:::{name}"
        return any(resource == arn + s for s in suffixes) or (objects and resource == arn + "*")
    if not isinstance(resource, Unknown):
        return False
    if resource.reference is not None:
        return (not objects) and model.points_at(resource.reference, bucket, "arn")
    if resource.parts:
        head, tail = resource.parts[0], resource.parts[1:]
        text = "".join(p if isinstance(p, str) else "?" for p in tail)
        if (
            isinstance(head, Unknown)
            and head.reference is not None
            and model.points_at(head.reference, bucket, "arn")
        ):
            return objects and text in ("/*", "*")
        return None if any(not isinstance(p, str) for p in tail) else False
    return None


def _tls_deny(model: PlanModel, stmt: Statement, bucket: Instance) -> Tri:
    if not stmt.denies:
        return False
    entries = resource_entries(stmt)
    return all_true(
        [
            principal_is_everyone(stmt),
            action_covered(stmt, "s3:GetObject"),
            action_covered(stmt, "s3:PutObject"),
            action_covered(stmt, "s3:ListBucket"),
            condition_requires(stmt, "aws:SecureTransport", "false"),
            any_true([_covers(model, r, bucket, objects=False) for r in entries]),
            any_true([_covers(model, r, bucket, objects=True) for r in entries]),
        ]
    )


def judge(model: PlanModel, bucket: Instance, statements: list[Statement]) -> tuple[Tri, str, str]:
    """(verdict, found, expected) for one bucket's policy statements."""
    for stmt in statements:
        if stmt.allows and principal_is_everyone(stmt) is True:
            return (
                False,
                f'{stmt.origin} statement {stmt.index} allows Principal "*"',
                "no Allow to everyone",
            )
        if stmt.denies and has_condition_key(stmt, "aws:SecureTransport") is False:
            return (
                False,
                f"{stmt.origin} statement {stmt.index} denies without the aws:SecureTransport "
                "condition and can deny the stack's own roles",
                "Deny only when aws:SecureTransport is false",
            )
    verdict = any_true([_tls_deny(model, stmt, bucket) for stmt in statements])
    if verdict is False:
        return (
            False,
            "no statement denies s3:* on the bucket and its objects when aws:SecureTransport is false",
            'Deny s3:* to Principal "*" on the bucket and bucket/* when aws:SecureTransport = false',
        )
    if verdict is None:
        return None, "the policy's resources are only known after apply", "bucket ARN and bucket/*"
    return True, "denies non-TLS access to the bucket and its objects, and nothing more", ""


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    policies = ReverseIndex.build(model, "aws_s3_bucket_policy", ("bucket",), ("aws_s3_bucket",))
    for bucket in model.resources("aws_s3_bucket"):
        attached = policies.get(bucket)
        inline = bucket.declared("policy")
        statements: list[Statement] = []
        complete = True
        reason = ""
        sources = [policy_at(model, p, "policy") for p in attached]
        if isinstance(inline, str) and inline:
            sources.append(policy_at(model, bucket, "policy"))
        if not sources:
            yield Result.failed(
                bucket.address,
                "policy",
                "no bucket policy",
                'an aws_s3_bucket_policy that denies s3:* when aws:SecureTransport = "false"',
            )
            continue
        for policy in sources:
            statements.extend(policy.statements)
            if not policy.complete:
                complete, reason = False, policy.reason
        verdict, found, expected = judge(model, bucket, statements)
        if verdict is False and not complete and found.startswith("no statement denies"):
            verdict = None  # the deny may sit in the part of the policy the plan hides
        if verdict is False:
            yield Result.failed(bucket.address, "policy", found, expected)
        elif verdict is None or not complete:
            yield Result.unknown(bucket.address, "policy", reason or found, expected)
        else:
            yield Result.passed(bucket.address, "policy", found)


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
