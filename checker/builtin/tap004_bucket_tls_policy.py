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
from dataclasses import replace

from checker.api import (
    EngineCoverage,
    EngineName,
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    Severity,
    Unknown,
    statement_origin,
)
from checker.core.evaluation import Found, Request, describe, first_applying
from checker.core.iam import Hidden, Principals, Statement, Tri
from checker.core.matching import HOLE, visible
from checker.rules.iam import policy_at
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
    aws_model=(
        "The bucket policy is evaluated as S3 does (checker/core/evaluation.py): plain-HTTP "
        "GetObject, PutObject (objects) and ListBucket (bucket) by any principal must meet an "
        "explicit Deny whose only condition is aws:SecureTransport; the same calls by each role "
        "of the stack over TLS 1.2 (aws:SecureTransport true, s3:TlsVersion 1.2, no VPC endpoint "
        "keys unless the stack has an endpoint) must meet no Deny; an anonymous call (no "
        "principal keys) must meet no Allow. Split Denies, IfExists operators, NotAction and "
        "NotResource count as AWS counts them."
    ),
    letter_vs_aws=(
        "The seed's fix is one Deny statement; AWS accepts the Deny split over several "
        "statements and extra Denies that spare TLS callers (the AWS-recommended s3:TlsVersion "
        "< 1.2 Deny): the rule follows AWS. A transport Deny that also needs another key "
        "(aws:SourceVpce) leaves plain HTTP open without it: failed, as the fix intends."
    ),
    limits=(
        "Conditions on keys the plan cannot know for the stack's roles (aws:SourceIp, "
        "organization IDs) make the verdict unknown; access points, ACLs and account-level "
        "Block Public Access are not evaluated; a plan alone lists one set of references for a "
        "whole Resource list, so which entry is the bucket and which its objects is unknown "
        "without the sources."
    ),
    references=(
        "Amazon S3 security best practices: enforce data in transit encryption "
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html)",
        "IAM policy evaluation logic "
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)",
        "Amazon S3 condition key examples: s3:TlsVersion "
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html)",
        "The meaning of public in S3 Block Public Access "
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html)",
    ),
    needs_person=(
        "a bucket policy decides who reaches the data: the statement the finding names is written by the bucket's owner"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            why=(
                "bucket policies embed the bucket ARN, so their documents are read at apply: "
                "their statements are unknown in every create plan and checkov evaluates no "
                "sources"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            why=(
                "bucket policies are JSON built at apply time; their resources are unknown in the"
                " plan"
            ),
        ),
    ),
)


STANDIN = "checker-bucket-under-judgement"  # the bucket's name when the plan hides it
# Condition keys an anonymous request never carries ("AWS global condition context keys":
# principal keys are present only for signed requests).
PRINCIPAL_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principaltype",
        "aws:principalorgpaths",
        "aws:userid",
        "aws:username",
        "aws:principalservicename",
        "aws:principalisawsservice",
        "aws:calledvia",
    }
)
# The stack's roles reach the bucket over the public endpoint unless a VPC endpoint exists.
ENDPOINT_KEYS = frozenset({"aws:sourcevpce", "aws:sourcevpc", "aws:vpcsourceip"})
SOMEONE = ("AWS", "arn:aws:iam::000000000000:role/any-caller")  # only "*" names it


def _entry(model: RuleModel, value: object, bucket: Instance, arn: str) -> object:
    """One Resource entry as AWS compares it: the bucket's own ARN (or its stand-in) for a
    reference to it, a foreign ARN for a reference to another resource, else hidden."""
    if isinstance(value, str) or not isinstance(value, Unknown):
        return value
    if value.reference is not None:
        if model.points_at(value.reference, bucket, "arn"):
            return arn
        return (
            f"arn:aws:s3:::(other){value.reference}"
            if model.resolve(bucket, value.reference)
            else value
        )
    if value.parts and isinstance(value.parts[0], Unknown) and value.parts[0].reference:
        head, tail = value.parts[0], value.parts[1:]
        if all(isinstance(p, str) for p in tail) and model.points_at(
            head.reference or "", bucket, "arn"
        ):
            return arn + "".join(p for p in tail if isinstance(p, str))
    return value


def role_arn(role: Instance) -> str:
    """A role's ARN, or a stand-in no other principal has when the plan hides it."""
    arn = role.get("arn")
    return arn if isinstance(arn, str) else f"arn:aws:iam::000000000000:role/({role.address})"


def _principal(model: RuleModel, value: object, bucket: Instance) -> object:
    """A principal the plan hides, named by reference: the ARN of what it references."""
    if not isinstance(value, Unknown):
        return value
    refs = [value.reference] if value.reference is not None else list(value.refs)
    targets = {t.address: t for ref in refs for t in model.resolve(bucket, ref)}
    # `[aws_iam_role.x.arn]` in a plan: references `aws_iam_role.x.arn` and `aws_iam_role.x`
    return role_arn(next(iter(targets.values()))) if len(targets) == 1 else value


def _as_compared(model: RuleModel, stmt: Statement, bucket: Instance, arn: str) -> Statement:
    def entries(values: list[object] | Hidden | None) -> list[object] | Hidden | None:
        if values is None or isinstance(values, Hidden):
            return values
        return [_entry(model, v, bucket, arn) for v in values]

    def principals(value: Principals) -> Principals:
        if not isinstance(value, dict):
            return value
        return {k: [_principal(model, i, bucket) for i in ids] for k, ids in value.items()}

    return replace(
        stmt,
        resources=entries(stmt.resources),
        not_resources=entries(stmt.not_resources),
        principals=principals(stmt.principals),
        not_principals=principals(stmt.not_principals),
    )


def _named_principals(statements: list[Statement]) -> list[str]:
    named: dict[str, None] = {}
    for stmt in statements:
        for principals in (stmt.principals, stmt.not_principals):
            if stmt.denies and isinstance(principals, dict):
                for key, ids in principals.items():
                    if key.lower() == "aws":
                        named.update((i, None) for i in ids if isinstance(i, str) and i != "*")
    return list(named)


def _requests(arn: str) -> list[tuple[str, str]]:
    return [
        ("s3:GetObject", f"{arn}/any-key"),
        ("s3:PutObject", f"{arn}/any-key"),
        ("s3:ListBucket", arn),
    ]


def _plain_http_denied(statements: list[Statement], arn: str) -> tuple[Tri, str]:
    """Every plain-HTTP request, by anyone, meets a Deny whose only condition is the transport.

    A Deny that also needs another key (`aws:SourceVpce`, a principal) leaves plain HTTP
    open to requests without it: the incident's hole.
    """
    transport_only = [
        s
        for s in statements
        if s.denies
        and not isinstance(s.conditions, Hidden)
        and all(c.key.lower() == "aws:securetransport" for c in s.conditions)
    ]
    hidden = [s for s in statements if s.denies and isinstance(s.conditions, Hidden)]
    for action, resource in _requests(arn):
        request = Request(action, resource, SOMEONE, {"aws:SecureTransport": ("false",)})
        found = first_applying(transport_only + hidden, request, "deny", resource_policy=True)
        if found.value is False:
            extra = [s for s in statements if s.denies and s not in transport_only]
            why = f" ({describe(extra[0])} also needs other condition keys)" if extra else ""
            return (
                False,
                f"plain-HTTP {action} on {resource.replace(STANDIN, '<bucket>')} is not denied{why}",
            )
        if found.value is None:
            return (
                None,
                f"{describe(found.statement) if found.statement else 'a statement'}: {found.undecided} is only known after apply",
            )
    return True, ""


def _tls_request(action: str, resource: str, role: str, endpoints: bool) -> Request:
    """A call by one of the stack's roles over TLS 1.2, as the SDKs make it."""
    return Request(
        action,
        resource,
        ("AWS", role),
        {
            "aws:SecureTransport": ("true",),
            "s3:TlsVersion": ("1.2",),
            "s3:signatureversion": ("AWS4-HMAC-SHA256",),
        },
        closed=False,
        absent=frozenset() if endpoints else ENDPOINT_KEYS,
    )


def _anonymous(action: str, resource: str) -> Request:
    return Request(
        action,
        resource,
        ("AWS", "*"),
        {"aws:SecureTransport": ("true",)},
        closed=False,
        absent=PRINCIPAL_KEYS,
    )


def judge(
    model: RuleModel, bucket: Instance, statements: list[Statement]
) -> tuple[Tri, str, str, str]:
    """(verdict, found, expected, origin) for one bucket's policy statements, as S3 evaluates
    them; `origin` names the statement that decides a failure (`statement_origin`)."""
    name = bucket.get("bucket")
    shown = visible(name) if isinstance(name, Hidden) else name
    # a name the plan hides but names (`app-${data.aws_caller_identity.x.account_id}`) is
    # compared as that template; a wholly hidden one as a stand-in
    usable = isinstance(shown, str) and HOLE not in shown
    arn = f"arn:aws:s3:::{shown if usable else STANDIN}"
    compared = [_as_compared(model, s, bucket, arn) for s in statements]
    endpoints = bool(model.resources("aws_vpc_endpoint"))
    # The stack's roles as the Denies can tell them apart: a generic role of the account, and
    # each role a Deny names (one pass over this policy, never over every role of the plan).
    roles = [SOMEONE[1], *_named_principals(compared)]
    undecided = ""
    for action, resource in _requests(arn):
        public = first_applying(
            compared, _anonymous(action, resource), "allow", resource_policy=True
        )
        if public.value is True and public.statement is not None:
            return (
                False,
                f"{describe(public.statement)} allows anyone {action}",
                "no Allow to everyone",
                statement_origin(public.statement.origin, public.statement.index),
            )
        own = Found(False)
        for role in roles:
            request = _tls_request(action, resource, role, endpoints)
            own = first_applying(compared, request, "deny", resource_policy=True)
            if own.value is not False:
                break
        if own.value is True and own.statement is not None:
            return (
                False,
                f"{describe(own.statement)} denies the stack's own roles {action} over TLS",
                "Deny only when aws:SecureTransport is false",
                statement_origin(own.statement.origin, own.statement.index),
            )
        for found in (public, own):
            if found.value is None and not undecided and found.statement is not None:
                undecided = (
                    f"{describe(found.statement)}: {found.undecided} is only known after apply"
                )
    denied, why = _plain_http_denied(compared, arn)
    expected = (
        'Deny s3:* to Principal "*" on the bucket and bucket/* when aws:SecureTransport = false'
    )
    # a missing Deny belongs to the policy document itself
    document = next((s.origin for s in statements if s.origin), "")
    if denied is False:
        return False, why, expected, document
    if denied is None or undecided:
        return None, why or undecided, expected, ""
    return True, "denies non-TLS access to the bucket and its objects, and nothing more", "", ""


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
        verdict, found, expected, origin = judge(model, bucket, statements)
        if verdict is False and not complete and found.startswith("plain-HTTP"):
            verdict = None  # the deny may sit in the part of the policy the plan hides
        if verdict is False:
            yield Result.failed(bucket.address, "policy", found, expected, origin=origin)
        elif verdict is None or not complete:
            yield Result.unknown(bucket.address, "policy", reason or found, expected)
        else:
            yield Result.passed(bucket.address, "policy", found)


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
