"""A KMS key policy judged as KMS evaluates it for the calls CloudWatch Logs and Lambda make.

One home for TAP003's question, shared by the native rule and the checkov check
(standard library and `checker.core` only, so checkov's environment can load it):
does the key policy keep the account root as administrator, let
`logs.<region>.amazonaws.com` use the key for each log group it encrypts (with the
`kms:EncryptionContext:aws:logs:arn` Logs sends), let `lambda.amazonaws.com` use it,
and let Lambda create grants only via `lambda.<region>` for AWS resources?
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from checker.core.evaluation import Decision, Policies, Request, describe, evaluate
from checker.core.evaluation import principal_named as _principal_named
from checker.core.iam import HIDDEN, Hidden, Statement, Tri, actions_covered, all_true, any_true
from checker.core.matching import HOLE

USE_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey")
# The calls each service makes with the key, as the seed's fix lists them (kms:GenerateDataKey*
# stands for both data-key calls).
USE_CALLS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey")
LAMBDA = ("Service", "lambda.amazonaws.com")
ROOT = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:root$|^\d{12}$")
ROOT_TEMPLATE = re.compile(
    r"^arn:(?:aws[\w-]*|\$\{[^}]*partition\}):iam::(?:\d{12}|\$\{[^}]*account_id\}):root$"
)

Verdict = tuple[Tri, str, str]  # (verdict, what was found, what is expected)


@dataclass(frozen=True)
class KeyUse:
    """What AWS knows of the calls made on one key: its ARN, account, region and log groups."""

    key_arn: object  # a str, or a Hidden the plan leaves to apply
    account: object
    region: str
    log_groups: tuple[str, ...]  # ARNs of the log groups it encrypts, `${?}` for hidden parts


def root_admin(stmt: Statement) -> Tri:
    """Whether the statement lets the account root administer the key (kms:PutKeyPolicy).

    A principal the plan hides but writes as a template of this account's root
    (`arn:aws:iam::${data.aws_caller_identity.x.account_id}:root`) is the root.
    """
    if not stmt.allows or not isinstance(stmt.principals, dict):
        return False if not isinstance(stmt.principals, Hidden) else None
    ids = [i for key, values in stmt.principals.items() if key.lower() == "aws" for i in values]
    root: list[Tri] = []
    for ident in ids:
        if isinstance(ident, str):
            root.append(bool(ROOT.match(ident)))
        elif isinstance(ident, Hidden):
            root.append(True if ROOT_TEMPLATE.match(ident.template()) else None)
        else:
            root.append(None)
    return all_true([any_true(root), actions_covered(stmt, "kms:PutKeyPolicy")])


def _call(
    use: KeyUse,
    action: str,
    who: tuple[str, str],
    context: Mapping[str, tuple[object, ...]],
    absent: frozenset[str],
) -> Request:
    return Request(
        action,
        use.key_arn if isinstance(use.key_arn, str | Hidden) else HIDDEN,
        who,
        {"kms:CallerAccount": (use.account,), **context},
        closed=False,
        absent=absent,
    )


def _must(decision: Decision, found: str, expected: str) -> Verdict:
    allowed = decision.allowed
    return allowed, (found if allowed is False else decision.reason), expected


def _must_not(decision: Decision, found: str, expected: str) -> Verdict:
    allowed = decision.allowed
    verdict = None if allowed is None else not allowed
    return verdict, (f"{decision.reason}: {found}" if allowed else decision.reason), expected


def _grants_written(statements: Sequence[Statement]) -> str:
    """What the statements that let Lambda create grants say instead (for the finding)."""
    for stmt in statements:
        if not stmt.allows or actions_covered(stmt, "kms:CreateGrant") is not True:
            continue
        if _principal_named(stmt.principals, LAMBDA) is not True:
            continue
        if isinstance(stmt.conditions, Hidden) or not stmt.conditions:
            return f" ({describe(stmt)} allows it without conditions)"
        conditions = ", ".join(
            f"{c.operator} {c.key} = {', '.join(map(str, c.values))}" for c in stmt.conditions
        )
        return f" ({describe(stmt)} allows it only with {conditions})"
    return ""


def _service_use(key_policy: Policies, use: KeyUse) -> list[Verdict]:
    logs = ("Service", f"logs.{use.region}.amazonaws.com")
    uses = ", ".join(USE_ACTIONS)
    checks: list[Verdict] = []
    for group in use.log_groups:
        context: dict[str, tuple[object, ...]] = {
            "kms:EncryptionContext:aws:logs:arn": (group,),
            "kms:EncryptionContextKeys": ("aws:logs:arn",),
        }
        absent = frozenset({"kms:viaservice", "kms:grantisforawsresource"})
        for action in USE_CALLS:
            checks.append(
                _must(
                    evaluate(_call(use, action, logs, context, absent), key_policy),
                    f"Service {logs[1]} may not call {action} for {group.replace(HOLE, '*')}",
                    f"Service {logs[1]} allowed {uses} for the stack's log groups",
                )
            )
    for action in USE_CALLS:
        request = _call(use, action, LAMBDA, {}, frozenset({"kms:grantisforawsresource"}))
        checks.append(
            _must(
                evaluate(request, key_policy),
                f"lambda.amazonaws.com may not call {action}",
                f"Service lambda.amazonaws.com allowed {uses}",
            )
        )
    return checks


def _grants(key_policy: Policies, statements: Sequence[Statement], use: KeyUse) -> list[Verdict]:
    via = f"lambda.{use.region}.amazonaws.com"
    scoped = (
        f"kms:CreateGrant for lambda.amazonaws.com only with kms:ViaService = {via} "
        "and kms:GrantIsForAWSResource = true"
    )
    for_lambda = {"kms:ViaService": (via,), "kms:GrantIsForAWSResource": ("true",)}
    checks = [
        _must(
            evaluate(_call(use, "kms:CreateGrant", LAMBDA, for_lambda, frozenset()), key_policy),
            f"no statement lets lambda.amazonaws.com kms:CreateGrant via {via} for AWS resources"
            + _grants_written(statements),
            scoped,
        )
    ]
    outside: list[tuple[str, dict[str, tuple[object, ...]], frozenset[str]]] = [
        (
            "without kms:ViaService",
            {"kms:GrantIsForAWSResource": ("true",)},
            frozenset({"kms:viaservice"}),
        ),
        (
            "via another service",
            {
                "kms:ViaService": (f"ec2.{use.region}.amazonaws.com",),
                "kms:GrantIsForAWSResource": ("true",),
            },
            frozenset(),
        ),
        (
            "for a grant not for an AWS resource",
            {"kms:ViaService": (via,), "kms:GrantIsForAWSResource": ("false",)},
            frozenset(),
        ),
    ]
    for when, context, absent in outside:
        request = _call(use, "kms:CreateGrant", LAMBDA, context, absent)
        checks.append(
            _must_not(
                evaluate(request, key_policy),
                f"it lets lambda.amazonaws.com kms:CreateGrant {when}",
                scoped,
            )
        )
    return checks


def judge_key_policy(statements: Sequence[Statement], use: KeyUse) -> Verdict:
    """(verdict, what was found, what is expected): the key policy evaluated as KMS does."""
    key_policy = Policies(resource=list(statements), key_policy=True)
    checks: list[Verdict] = [
        (
            any_true([root_admin(s) for s in statements]),
            "no statement keeps the account root as key administrator (kms:*)",
            "the account root allowed kms:* (no lock-out)",
        ),
        *_service_use(key_policy, use),
        *_grants(key_policy, statements, use),
    ]
    for verdict, found, expected in checks:
        if verdict is False:
            return False, found, expected
    for verdict, found, expected in checks:
        if verdict is None:
            return None, f"cannot confirm {expected} ({found})", expected
    return True, "", ""
