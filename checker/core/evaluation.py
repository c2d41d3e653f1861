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
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache

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


# ------------------------------------------------------------------ matching values


def _templated(value: str) -> bool:
    """A string still holding a Terraform template or an IAM policy variable."""
    return "${" in value


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM wildcards: `*` any run, `?` one character; nothing else is special."""
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{body}$", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


HOLE = "${?}"


def visible(value: object) -> object:
    """A hidden value as the template the plan shows of it (`Hidden.template`)."""
    return value.template() if isinstance(value, Hidden) else value


def _same_template(pattern: str, value: str) -> bool:
    """Equal templates whose every hidden piece a reference names are the same value."""
    return pattern == value and HOLE not in pattern


def glob_match(pattern: object, value: object, *, ignore_case: bool = False) -> Tri:
    """IAM wildcard match; None when the hidden pieces of either side could decide it."""
    pattern, value = visible(pattern), visible(value)
    if not isinstance(pattern, str) or not isinstance(value, str):
        return False
    if pattern == "*" or _same_template(pattern, value):
        return True
    if _templated(pattern) or _templated(value):
        same = _same_pieces(pattern, value)
        if same is not None:
            return bool(_glob(same[0], ignore_case).match(same[1]))
        return _templated_match(pattern, value, ignore_case)
    return bool(_glob(pattern, ignore_case).match(value))


TEMPLATE = re.compile(r"\$\{[^}]*\}")


def _same_pieces(pattern: str, value: str) -> tuple[str, str] | None:
    """Both sides hide the same named pieces in the same order (`b-${acct}/*` against
    `b-${acct}/key`): each is one value, so the match is decided with it as a token."""
    pieces = TEMPLATE.findall(pattern)
    if not pieces or pieces != TEMPLATE.findall(value) or HOLE in pieces:
        return None
    tokens = {piece: f"\x00{i}\x00" for i, piece in enumerate(dict.fromkeys(pieces))}
    return (
        TEMPLATE.sub(lambda m: tokens[m.group(0)], pattern),
        TEMPLATE.sub(lambda m: tokens[m.group(0)], value),
    )


def _templated_match(pattern: str, value: str, ignore_case: bool) -> Tri:
    """Decide what the visible parts decide: a template stands for any text.

    `arn:aws:logs:us-west-2:${account}:*` never matches `arn:aws:logs:us-east-1:...`
    whatever the account is; when the visible parts agree it stays undecided.
    """
    loose = TEMPLATE.sub("*", pattern)
    pieces = TEMPLATE.split(value)
    if len(pieces) == 1:
        return None if _glob(loose, ignore_case).match(value) else False
    return None if _could_overlap(loose, pieces[0], pieces[-1], ignore_case) else False


def _could_overlap(pattern: str, prefix: str, suffix: str, ignore_case: bool) -> bool:
    """Could a value starting with `prefix` and ending with `suffix` match the pattern?

    Decided on the literal text each side fixes at both ends, which is what ARNs and
    service names differ by in practice; anything subtler stays possible.
    """
    literal = re.split(r"[*?]", pattern)
    p_prefix = literal[0]
    p_suffix = literal[-1] if len(literal) > 1 else ""
    if ignore_case:
        p_prefix, p_suffix, prefix, suffix = (
            x.lower() for x in (p_prefix, p_suffix, prefix, suffix)
        )
    n = min(len(p_prefix), len(prefix))
    if p_prefix[:n] != prefix[:n]:
        return False
    m = min(len(p_suffix), len(suffix))
    return m == 0 or p_suffix[-m:] == suffix[-m:]


def arn_match(pattern: object, value: object) -> Tri:
    """ArnEquals/ArnLike: each of the six colon-separated parts matched apart, case-sensitive."""
    pattern, value = visible(pattern), visible(value)
    if not isinstance(pattern, str) or not isinstance(value, str):
        return False
    if pattern == "*":
        return True
    p_parts, v_parts = pattern.split(":", 5), value.split(":", 5)
    if len(p_parts) != 6 or len(v_parts) != 6:
        return glob_match(pattern, value)
    return all_true([glob_match(p, v) for p, v in zip(p_parts, v_parts, strict=True)])


def _number(value: object) -> float | None:
    try:
        return float(str(value))
    except ValueError:
        return None


def _date(value: object) -> datetime | None:
    text = str(value)
    try:
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return datetime.fromtimestamp(float(text), tz=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ordered(parse: Callable[[object], object], test: Callable[[int], bool]) -> Matcher:
    def compare(pattern: object, value: object) -> Tri:
        if isinstance(pattern, Hidden) or isinstance(value, Hidden):
            return None
        left, right = parse(value), parse(pattern)
        if left is None or right is None:
            return None if _is_templated(pattern) or _is_templated(value) else False
        sign = (left > right) - (left < right)  # type: ignore[operator]
        return test(sign)

    return compare


def _is_templated(value: object) -> bool:
    return isinstance(value, str) and _templated(value)


def _bool(pattern: object, value: object) -> Tri:
    if isinstance(pattern, Hidden) or isinstance(value, Hidden):
        return None
    return str(pattern).lower() == str(value).lower()


def _binary(pattern: object, value: object) -> Tri:
    if isinstance(pattern, Hidden) or isinstance(value, Hidden):
        return None
    try:
        return base64.b64decode(str(pattern)) == base64.b64decode(str(value))
    except ValueError:
        return False


def _ip(pattern: object, value: object) -> Tri:
    if isinstance(pattern, Hidden) or isinstance(value, Hidden):
        return None
    try:
        return ipaddress.ip_address(str(value)) in ipaddress.ip_network(str(pattern), strict=False)
    except ValueError:
        return None if _is_templated(pattern) or _is_templated(value) else False


Matcher = Callable[[object, object], Tri]


def _string_equals(pattern: object, value: object) -> Tri:
    pattern, value = visible(pattern), visible(value)
    if not isinstance(pattern, str | bool | int | float) or not isinstance(value, str):
        return False
    pattern = _as_text(pattern)
    if _same_template(pattern, value):
        return True
    if _templated(pattern) or _templated(value):
        return _templated_match(pattern, value, False)  # never True: a template hides text
    return pattern == value


def _string_equals_ic(pattern: object, value: object) -> Tri:
    if isinstance(pattern, str) and isinstance(value, str) and not _templated(pattern + value):
        return pattern.lower() == value.lower()
    return _string_equals(pattern, value)


def _as_text(value: str | bool | int | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# operator family (lower case, without IfExists / set qualifiers) -> (matcher, negated)
OPERATORS: dict[str, tuple[Matcher, bool]] = {
    "stringequals": (_string_equals, False),
    "stringnotequals": (_string_equals, True),
    "stringequalsignorecase": (_string_equals_ic, False),
    "stringnotequalsignorecase": (_string_equals_ic, True),
    "stringlike": (glob_match, False),
    "stringnotlike": (glob_match, True),
    "numericequals": (_ordered(_number, lambda s: s == 0), False),
    "numericnotequals": (_ordered(_number, lambda s: s == 0), True),
    "numericlessthan": (_ordered(_number, lambda s: s < 0), False),
    "numericlessthanequals": (_ordered(_number, lambda s: s <= 0), False),
    "numericgreaterthan": (_ordered(_number, lambda s: s > 0), False),
    "numericgreaterthanequals": (_ordered(_number, lambda s: s >= 0), False),
    "dateequals": (_ordered(_date, lambda s: s == 0), False),
    "datenotequals": (_ordered(_date, lambda s: s == 0), True),
    "datelessthan": (_ordered(_date, lambda s: s < 0), False),
    "datelessthanequals": (_ordered(_date, lambda s: s <= 0), False),
    "dategreaterthan": (_ordered(_date, lambda s: s > 0), False),
    "dategreaterthanequals": (_ordered(_date, lambda s: s >= 0), False),
    "bool": (_bool, False),
    "binaryequals": (_binary, False),
    "ipaddress": (_ip, False),
    "notipaddress": (_ip, True),
    "arnequals": (arn_match, False),
    "arnlike": (arn_match, False),
    "arnnotequals": (arn_match, True),
    "arnnotlike": (arn_match, True),
}


@dataclass(frozen=True)
class Operator:
    family: str
    qualifier: str  # "", "forallvalues", "foranyvalue"
    if_exists: bool

    @classmethod
    def parse(cls, text: str) -> Operator:
        lowered = text.lower()
        qualifier = ""
        for prefix in ("forallvalues:", "foranyvalue:"):
            if lowered.startswith(prefix):
                qualifier, lowered = prefix[:-1], lowered[len(prefix) :]
        if_exists = lowered.endswith("ifexists") and lowered != "ifexists"
        return cls(lowered.removesuffix("ifexists"), qualifier, if_exists)


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
    if _templated(named) or _templated(caller):
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
