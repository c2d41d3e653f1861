"""AWS's policy evaluation, on the statements of `checker.core.iam`: may P call A on R with context C?

Follows the published logic (IAM User Guide, "Policy evaluation logic",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):

1. An explicit `Deny` that applies, in any policy, decides: denied.
2. A permissions boundary limits what identity policies grant: an identity
   `Allow` counts only when the boundary allows too.
3. Within one account, an `Allow` in the identity policies or in the resource's
   policy (naming the principal) grants. A KMS key is stricter ("Key policies in
   AWS KMS"): the key policy must allow, directly or by trusting the account
   (its root), and then IAM policies grant.
4. Nothing applies: implicitly denied.

A statement applies when its `Action`/`NotAction`, `Resource`/`NotResource`,
`Principal`/`NotPrincipal` (resource policies) and every condition hold
("IAM JSON policy elements: Condition operators",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html;
"Conditions with multiple context keys or values",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).

Everything is tri-state: a value the plan hides (a `Hidden`, or a string still
holding a Terraform template `${...}`) makes the parts that depend on it
undecided, and the decision says which statement and which part.

How one value matches another (globs, ARNs, each condition operator's comparison) is
`checker.core.matching`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from checker.core.iam import (
    Condition,
    Hidden,
    Principals,
    Statement,
    Tri,
    action_covered,
    all_true,
    any_true,
)
from checker.core.matching import OPERATORS, Operator, glob_match, templated

ContextValue = tuple[object, ...] | Hidden


@dataclass(frozen=True)
class Request:
    """One call as AWS sees it.

    `principal`: who calls, as a resource policy names it: (`"Service"`,
    `"logs.us-east-1.amazonaws.com"`) or (`"AWS"`, a role ARN).
    `resource`: the ARN the call is authorised on; `"*"` for an action without
    resource-level permissions; a `Hidden` when the plan hides it.
    `context`: the condition keys in the request (names case-insensitive) and
    their values. `closed`: keys not in `context` are absent from the request
    (False: their presence is not known, so conditions on them are undecided).
    """

    action: str
    resource: str | Hidden = "*"
    principal: tuple[str, str] | None = None
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    closed: bool = True
    absent: frozenset[str] = frozenset()  # keys known absent when the request is not closed

    def key(self, name: str) -> ContextValue | None:
        """The request's values for a condition key; None when the key is absent."""
        for key, value in self.context.items():
            if key.lower() == name.lower():
                return value
        return None

    def knows(self, name: str) -> bool:
        """Whether the request says if the key is present."""
        return self.closed or name.lower() in self.absent or self.key(name) is not None


class Verdict(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"  # an explicit Deny applies
    IMPLICIT = "implicitly denied"  # no Allow applies
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str
    statement: Statement | None = None

    @property
    def allowed(self) -> Tri:
        if self.verdict == Verdict.UNKNOWN:
            return None
        return self.verdict == Verdict.ALLOWED


def describe(stmt: Statement) -> str:
    sid = f" ({stmt.sid})" if isinstance(stmt.sid, str) and stmt.sid else ""
    where = f"{stmt.origin} " if stmt.origin else ""
    return f"{where}statement {stmt.index}{sid}"


def condition_holds(cond: Condition, request: Request) -> Tri:
    """One operator on one key (its values ORed, NORed when negated), as AWS evaluates it.

    A key absent from the request: `...IfExists` holds; `ForAllValues:` holds (an empty
    set); `ForAnyValue:` does not; a negated operator holds; any other does not
    ("If the key that you specify in a policy condition is not present in the request
    context, the values do not match and the condition is false. If the policy
    condition requires that the key is not matched ... the condition is true").
    """
    op = Operator.parse(cond.operator)
    present = request.key(cond.key)
    if not request.knows(cond.key):
        return None
    if op.family == "null":
        return _null(cond, present)
    if op.family not in OPERATORS:
        return None  # an operator AWS would refuse; never read as holding
    matcher, negated = OPERATORS[op.family]
    if present is None:
        if op.if_exists or op.qualifier == "forallvalues":
            return True
        if op.qualifier == "foranyvalue":
            return False
        return negated
    if isinstance(present, Hidden):
        return None

    def one(value: object) -> Tri:
        matched = any_true([matcher(p, value) for p in cond.values])
        return None if matched is None else (matched != negated)

    results = [one(v) for v in present]
    if op.qualifier == "forallvalues":
        return all_true(results)
    return any_true(results) if results else op.qualifier != "foranyvalue" and negated


def _null(cond: Condition, present: ContextValue | None) -> Tri:
    """`Null: {key: true}` holds when the key is absent; `false` when it is present."""
    wants_absent = [str(v).lower() == "true" for v in cond.values if not isinstance(v, Hidden)]
    if len(wants_absent) != len(cond.values):
        return None
    absent = present is None
    return any(w == absent for w in wants_absent)


# ------------------------------------------------------------------ statements


@dataclass(frozen=True)
class Applies:
    """Whether a statement applies to a request, and the part left undecided."""

    value: Tri
    undecided: str = ""


def _resource_covered(stmt: Statement, resource: str | Hidden) -> Applies:
    if stmt.resources is None and stmt.not_resources is None:
        return Applies(True)  # resource policies may leave Resource implicit
    patterns = stmt.resources if stmt.resources is not None else stmt.not_resources
    if isinstance(patterns, Hidden):
        return Applies(None, "its resources")
    assert patterns is not None
    matched = any_true([glob_match(p, resource) for p in patterns])
    if matched is None:
        return Applies(None, "its resources" if not isinstance(resource, Hidden) else "the ARN")
    return Applies(matched if stmt.resources is not None else not matched)


def principal_named(principals: Principals, who: tuple[str, str] | None) -> Tri:
    """Does a Principal element name the caller? `*` names everyone."""
    if principals is None:
        return False
    if principals == "*":
        return True
    if isinstance(principals, Hidden) or not isinstance(principals, dict):
        return None
    if who is None:
        return None
    kind, identifier = who
    results: list[Tri] = []
    for key, ids in principals.items():
        for ident in ids:
            if key.lower() == "aws" and ident == "*":
                results.append(True)
            elif key.lower() != kind.lower():
                continue
            elif isinstance(ident, Hidden):
                results.append(None)
            elif isinstance(ident, str):
                match = (
                    glob_match(ident, identifier, ignore_case=True)
                    if kind.lower() == "service"
                    else _same_principal(ident, identifier)
                )
                results.append(match)
    return any_true(results)


def _same_principal(named: str, caller: str) -> Tri:
    if templated(named) or templated(caller):
        return None if glob_match(named, caller) is not False else False
    return named == caller


def statement_applies(stmt: Statement, request: Request, *, resource_policy: bool) -> Applies:
    action = action_covered(stmt, request.action)
    if action is not True:
        return Applies(action, "its actions")
    resource = _resource_covered(stmt, request.resource)
    if resource.value is False:
        return resource
    principal: Tri = True
    if resource_policy:
        if stmt.principals is not None:
            principal = principal_named(stmt.principals, request.principal)
        elif stmt.not_principals is not None:
            named = principal_named(stmt.not_principals, request.principal)
            principal = None if named is None else not named
        else:
            principal = False
        if principal is False:
            return Applies(False)
    conditions: list[Tri]
    if isinstance(stmt.conditions, Hidden):
        conditions = [None]
    else:
        conditions = [condition_holds(c, request) for c in stmt.conditions]
        if False in conditions:
            return Applies(False)
    parts = [
        (resource.value, resource.undecided),
        (principal, "its principal"),
        (all_true(conditions), _undecided_conditions(stmt, request)),
    ]
    for value, undecided in parts:
        if value is None:
            return Applies(None, undecided)
    return Applies(True)


def _undecided_conditions(stmt: Statement, request: Request) -> str:
    if isinstance(stmt.conditions, Hidden):
        return "its conditions"
    keys = [c.key for c in stmt.conditions if condition_holds(c, request) is None]
    return f"its condition on {', '.join(keys)}" if keys else "its conditions"


# ------------------------------------------------------------------ policies


@dataclass(frozen=True)
class Found:
    """The first statement of a set that applies (or may), for a reason."""

    value: Tri
    statement: Statement | None = None
    undecided: str = ""


def first_applying(
    statements: Sequence[Statement], request: Request, effect: str, *, resource_policy: bool
) -> Found:
    maybe: Found | None = None
    for stmt in statements:
        if stmt.effect.lower() != effect:
            continue
        applies = statement_applies(stmt, request, resource_policy=resource_policy)
        if applies.value is True:
            return Found(True, stmt)
        if applies.value is None and maybe is None:
            maybe = Found(None, stmt, applies.undecided)
    return maybe or Found(False)


@dataclass(frozen=True)
class Policies:
    """Every policy AWS consults for one call.

    `identity`: the statements of the principal's inline, attached and managed
    policies. `boundary`: the permissions boundary's (None: no boundary).
    `resource`: the resource policy (key policy, bucket policy; None: none).
    `key_policy`: the resource is a KMS key: its policy must allow, directly or
    by trusting `account_root` (then IAM policies grant).
    """

    identity: Sequence[Statement] = ()
    boundary: Sequence[Statement] | None = None
    resource: Sequence[Statement] | None = None
    key_policy: bool = False
    account_root: tuple[str, str] | None = None


def evaluate(request: Request, policies: Policies) -> Decision:
    """The decision AWS makes for `request` (same-account evaluation)."""
    groups: list[tuple[Sequence[Statement], bool]] = [(policies.identity, False)]
    if policies.boundary is not None:
        groups.append((policies.boundary, False))
    if policies.resource is not None:
        groups.append((policies.resource, True))
    denied = Found(False)
    for statements, is_resource in groups:
        found = first_applying(statements, request, "deny", resource_policy=is_resource)
        if found.value is True:
            assert found.statement is not None
            return Decision(
                Verdict.DENIED,
                f"{describe(found.statement)} denies {request.action}",
                found.statement,
            )
        if found.value is None and denied.value is False:
            denied = found
    allowed = _allowed(request, policies)
    if denied.value is None and allowed.value is not False:
        assert denied.statement is not None
        return Decision(
            Verdict.UNKNOWN,
            f"{describe(denied.statement)} may deny {request.action}: {denied.undecided} "
            "is only known after apply",
            denied.statement,
        )
    if allowed.value is True:
        assert allowed.statement is not None
        return Decision(
            Verdict.ALLOWED,
            f"{describe(allowed.statement)} allows {request.action}",
            allowed.statement,
        )
    if allowed.value is None:
        where = describe(allowed.statement) if allowed.statement else "a policy"
        return Decision(
            Verdict.UNKNOWN,
            f"whether {where} allows {request.action} depends on {allowed.undecided or 'a hidden value'}",
            allowed.statement,
        )
    return Decision(Verdict.IMPLICIT, f"no statement allows {request.action}")


def _allowed(request: Request, policies: Policies) -> Found:
    identity = first_applying(policies.identity, request, "allow", resource_policy=False)
    if policies.boundary is not None and identity.value is not False:
        bounded = first_applying(policies.boundary, request, "allow", resource_policy=False)
        if bounded.value is not True:
            identity = bounded if bounded.value is None else Found(False)
    if policies.resource is None:
        return Found(False) if policies.key_policy else identity
    direct = first_applying(policies.resource, request, "allow", resource_policy=True)
    if not policies.key_policy:
        return _either(direct, identity)
    if direct.value is True:
        return direct
    if policies.account_root is None:
        return direct
    root = replace(request, principal=policies.account_root)
    delegated = first_applying(policies.resource, root, "allow", resource_policy=True)
    through_iam = _both(delegated, identity)
    return _either(direct, through_iam)


def _either(a: Found, b: Found) -> Found:
    if a.value is True:
        return a
    if b.value is True:
        return b
    if a.value is None:
        return a
    return b


def _both(a: Found, b: Found) -> Found:
    if a.value is False:
        return a
    if b.value is False:
        return b
    if a.value is None:
        return a
    if b.value is None:
        return b
    return b
