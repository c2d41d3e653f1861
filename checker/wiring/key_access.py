"""May a service principal, or a role, make the KMS calls a write needs on a key of the plan?

The key policy is evaluated as KMS does (`checker.core.evaluation`, a key policy): a service
principal must be allowed by it directly; a role is allowed by it directly, or through a
statement for the account root that delegates to IAM, and then the role's identity
policies (and its permissions boundary) must allow the call on the key ("Key policies in
AWS KMS", "Default key policy").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from checker.api import Instance, Policy, RuleModel, Statement, Tri, Unknown, policy_at
from checker.api import all_true as both
from checker.core.evaluation import Policies, Request, evaluate
from checker.core.evaluation import Verdict as Decided
from checker.core.iam import HIDDEN, Hidden, Principals
from checker.core.key_policy import ROOT, ROOT_TEMPLATE
from checker.core.matching import HOLE, visible
from checker.rules.ec2_write_grants import request_allowed
from checker.rules.ec2_write_targets import key_target
from checker.rules.links import RolePolicies, linked

ROOT_ID = "arn:aws:iam::account:root"  # what a statement for the account root is made to name
ContextValues = Mapping[str, tuple[object, ...]]


@dataclass(frozen=True)
class Verdict:
    """Whether every call is allowed, and the first call that is not (or may not be)."""

    value: Tri
    why: str = ""


def key_policy(model: RuleModel, key: Instance) -> Policy:
    """The key's policy: an aws_kms_key_policy's, else its own; none written is KMS's default
    policy, which only trusts the account root (the IAM policies decide)."""
    for attached in model.resources("aws_kms_key_policy"):
        if key in linked(model, attached, ("key_id",), ("aws_kms_key",)):
            return policy_at(model, attached, "policy")
    if model.written(key, "policy") is None:
        default = Statement("Allow", ["kms:*"], None, ["*"], None, {"AWS": [ROOT_ID]})
        return Policy([default], True, origins=[f"{key.address} (KMS's default key policy)"])
    return policy_at(model, key, "policy")


def account(model: RuleModel) -> str:
    """The account as the plan tells it, or as the stack's templates name it (TAP003's)."""
    identities = model.data("aws_caller_identity")
    known = [a for a in (d.get("account_id") for d in identities) if isinstance(a, str)]
    named = [f"${{{d.address}.account_id}}" for d in identities if not d.module]
    return known[0] if known else named[0] if len(named) == 1 else HOLE


def arn_value(inst: Instance) -> object:
    """The resource's ARN, or the reference that stands for it while only apply knows it."""
    arn = inst.get("arn")
    return arn if isinstance(arn, str) else Unknown.of_reference(f"{inst.address}.arn")


def _named(ident: object, own: str, role: Instance | None) -> object:
    """A principal of the key policy as the request names it: the account root (literal, or
    the template of this account's root) is ROOT_ID; the role (its ARN, or a reference to
    it) is the role's own identifier; anything else stays as written."""
    text = visible(ident)
    if not isinstance(text, str):
        return ident
    if "${" in text:
        root = bool(ROOT_TEMPLATE.match(text))
    else:  # a literal root: this account's, unless the plan tells another account
        root = bool(ROOT.match(text)) and ("${" in own or own in text)
    if root:
        return ROOT_ID
    linked_role = SERVICE_LINKED.match(text)
    if linked_role is not None and linked_role.group("account") in (own, "account"):
        return service_linked_id(linked_role.group("path"))
    if role is not None and text in (f"${{{role.address}.arn}}", role.get("arn")):
        return role_id(role)
    return ident


# a service-linked role of this account, its account written literally or as a template
SERVICE_LINKED = re.compile(r"^arn:aws:iam::(?P<account>[^:]+):role/(?P<path>aws-service-role/.+)$")


def service_linked_id(path: str) -> str:
    """A service-linked role as a request names it (`aws-service-role/<service>/<name>`)."""
    return f"arn:aws:iam::account:role/{path}"


def role_id(role: Instance) -> str:
    return f"arn:aws:iam::account:role/{role.address}"


def as_requested(
    statements: Sequence[Statement], own: str, role: Instance | None = None
) -> list[Statement]:
    """The key policy with its account-root and role principals made comparable."""

    def swap(principals: Principals) -> Principals:
        if not isinstance(principals, dict):
            return principals
        return {
            kind: [_named(i, own, role) if kind.lower() == "aws" else i for i in ids]
            for kind, ids in principals.items()
        }

    return [
        replace(s, principals=swap(s.principals), not_principals=swap(s.not_principals))
        for s in statements
    ]


def _key_arn(key: Instance) -> str | Hidden:
    arn = key.get("arn")
    return arn if isinstance(arn, str) else HIDDEN


def service_may(
    policy: Policy,
    key: Instance,
    principal: str,
    calls: Sequence[str],
    context: ContextValues,
    absent: frozenset[str],
    own: str,
    kind: str = "Service",
) -> Verdict:
    """May the service principal (or, `kind` "AWS", a role such as a service-linked role,
    whose own policies grant no KMS) make each call, by the key policy alone?"""
    if not policy.complete:
        return Verdict(None, policy.reason or f"the policy of {key.address} is hidden")
    statements = as_requested(policy.statements, own)
    decided: list[Verdict] = []
    for call in calls:
        request = Request(call, _key_arn(key), (kind, principal), context, False, absent)
        decision = evaluate(request, Policies(resource=statements, key_policy=True))
        where = policy.origins[0] if policy.origins else key.address
        if decision.allowed is False:
            return Verdict(False, f"{where}: {decision.reason} to {principal}")
        if decision.allowed is None:
            decided.append(Verdict(None, f"{where}: {decision.reason}"))
    return decided[0] if decided else Verdict(True)


def role_may(
    model: RuleModel,
    roles: RolePolicies,
    role: Instance,
    policy: Policy,
    key: Instance,
    calls: Sequence[str],
    context: ContextValues,
    own: str,
) -> Verdict:
    """May the role make each call: allowed by the key policy directly, or by its root
    statement and then by the role's identity policies and boundary?"""
    if not policy.complete:
        return Verdict(None, policy.reason or f"the policy of {key.address} is hidden")
    statements = as_requested(policy.statements, own, role)
    identity, complete, reasons = roles.statements(role)
    boundary = roles.boundary(role)
    target = key_target(model, key)
    where = policy.origins[0] if policy.origins else key.address
    open_: list[Verdict] = []
    for call in calls:
        keyed = Policies(resource=statements, key_policy=True)
        direct = evaluate(_as(call, key, role_id(role), context), keyed)
        if direct.allowed is True:
            continue
        if direct.verdict == Decided.DENIED:
            return Verdict(False, f"{where}: {direct.reason} to {role.address}")
        root = evaluate(_as(call, key, ROOT_ID, context), keyed)
        iam = request_allowed(identity, call, target)
        if boundary is not None:
            iam = both([iam, request_allowed(boundary.statements, call, target)])
        if iam is False and not (complete and (boundary is None or boundary.complete)):
            iam = None
        through_iam = both([root.allowed, iam])
        if direct.allowed is False and through_iam is False:
            if root.allowed is False:
                why = f"{where} neither allows {role.address} {call} nor delegates it to IAM"
            else:
                why = f"the policies of {role.address} do not allow {call} on {key.address}"
            return Verdict(False, why)
        if through_iam is not True:
            hidden = direct.reason if direct.allowed is None else root.reason
            if iam is None:
                hidden = f"whether the policies of {role.address} allow {call} on {key.address}" + (
                    f" ({reasons[0]})" if reasons else " is open"
                )
            open_.append(Verdict(None, hidden))
    return open_[0] if open_ else Verdict(True)


def _as(call: str, key: Instance, who: str, context: ContextValues) -> Request:
    return Request(
        call,
        _key_arn(key),
        ("AWS", who),
        context,
        False,
        frozenset({"kms:grantisforawsresource"}),
    )
