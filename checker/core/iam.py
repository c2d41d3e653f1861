"""IAM policy semantics on plain values: statements, wildcards, principals, conditions.

A policy is read from what `json.loads` gives (or the statement blocks of an
`aws_iam_policy_document`). A leaf the caller cannot see is a `Hidden`; the
checker's `Unknown` is one, and a checkov check marks what checkov leaves
unknown with `HIDDEN`. Answers are tri-state: True, False, or None for
"cannot be decided from what is visible".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from checker.aws import authorization

Tri = bool | None


class Hidden:
    """A value only known after apply (a base class: the checker's `Unknown` extends it)."""

    __slots__ = ()

    def render(self, hole: str) -> str:
        """The known text of the value with `hole` for each hidden piece (all of it here)."""
        return hole

    def template(self) -> str:
        """The value as a Terraform template: `${REF}` for a piece a reference names, `${?}`
        for one nothing names. Two equal `${REF}` pieces are the same value."""
        return "${?}"


HIDDEN = Hidden()


def hidden(value: object) -> bool:
    return isinstance(value, Hidden)


@dataclass(frozen=True)
class Condition:
    operator: str
    key: str
    values: tuple[object, ...]


Principals = dict[str, list[object]] | str | Hidden | None


@dataclass
class Statement:
    effect: str
    actions: list[object] | None = None
    not_actions: list[object] | None = None
    resources: list[object] | Hidden | None = None
    not_resources: list[object] | Hidden | None = None
    principals: Principals = None
    not_principals: Principals = None
    conditions: list[Condition] | Hidden = field(default_factory=list)
    origin: str = ""
    index: int = 0
    sid: object = ""  # a str, or a Hidden one: what a merged document overrides by

    @property
    def allows(self) -> bool:
        return self.effect.lower() == "allow"

    @property
    def denies(self) -> bool:
        return self.effect.lower() == "deny"


def as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


# ------------------------------------------------------------------ parsing


def statements_from_json(text: str, origin: str) -> list[Statement] | None:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, TypeError, RecursionError):
        return None
    return statements_from_object(document, origin)


def statements_from_object(document: object, origin: str) -> list[Statement] | None:
    """Statements of a policy document as a value; None when it is not readable as a policy."""
    if not isinstance(document, dict):
        return None
    statements = document.get("Statement")
    if isinstance(statements, Hidden):
        return None
    out: list[Statement] = []
    for index, raw in enumerate(as_list(statements)):
        if not isinstance(raw, dict):
            return None
        out.append(
            Statement(
                effect=str(raw.get("Effect", "")),
                actions=as_list(raw["Action"]) if "Action" in raw else None,
                not_actions=as_list(raw["NotAction"]) if "NotAction" in raw else None,
                resources=_resources(raw, "Resource"),
                not_resources=_resources(raw, "NotResource"),
                principals=json_principal(raw.get("Principal")),
                not_principals=json_principal(raw.get("NotPrincipal")),
                conditions=json_conditions(raw.get("Condition")),
                origin=origin,
                index=index,
                sid=raw.get("Sid") or "",
            )
        )
    return out


def merge_documents(parts: list[list[Statement] | None]) -> tuple[list[Statement], bool]:
    """The statements of an `aws_iam_policy_document` merged from its parts, and whether
    every part was visible.

    `parts` in the provider's order: `source_json`, each of `source_policy_documents`,
    the document's own `statement` blocks, each of `override_policy_documents`,
    `override_json` (terraform-provider-aws `policy_document_data_source.go`, whose
    `IAMPolicyDoc.Merge` appends a statement without a Sid and lets one with a Sid
    replace the earlier statement of that Sid in place). A hidden part (None) may
    replace any earlier statement that has a Sid, and so may a statement whose Sid is
    hidden: such statements are left out, so what is returned is surely in the whole
    document; it is the whole only when the second value is True.
    """
    merged: list[Statement] = []
    doubtful: list[bool] = []  # merged[i] may have been replaced by a part no one sees
    complete = True
    for part in parts:
        if part is None:
            complete = False
            doubtful = [d or _has_sid(s) for s, d in zip(merged, doubtful, strict=True)]
            continue
        for stmt in part:
            if isinstance(stmt.sid, Hidden):
                doubtful = [d or _has_sid(s) for s, d in zip(merged, doubtful, strict=True)]
                merged.append(stmt)
                doubtful.append(False)
                continue
            if stmt.sid:  # it may replace a statement whose Sid no one sees
                doubtful = [
                    d or isinstance(s.sid, Hidden) for s, d in zip(merged, doubtful, strict=True)
                ]
            same = next(
                (i for i, old in enumerate(merged) if stmt.sid and old.sid == stmt.sid), None
            )
            if same is None:
                merged.append(stmt)
                doubtful.append(False)
            else:
                merged[same], doubtful[same] = stmt, False
    return [s for s, d in zip(merged, doubtful, strict=True) if not d], complete


def _has_sid(stmt: Statement) -> bool:
    return isinstance(stmt.sid, Hidden) or bool(stmt.sid)


def _resources(raw: dict[str, object], key: str) -> list[object] | Hidden | None:
    if key not in raw:
        return None
    value = raw[key]
    return value if isinstance(value, Hidden) else as_list(value)


def json_conditions(value: object) -> list[Condition] | Hidden:
    if isinstance(value, Hidden):
        return value
    conditions: list[Condition] = []
    for operator, pairs in (value if isinstance(value, dict) else {}).items():
        if isinstance(pairs, Hidden):
            return pairs
        for key, values in (pairs if isinstance(pairs, dict) else {}).items():
            conditions.append(Condition(str(operator), str(key), tuple(as_list(values))))
    return conditions


def json_principal(value: object) -> Principals:
    if value is None or isinstance(value, Hidden):
        return value
    if value == "*":
        return "*"
    if isinstance(value, dict):
        return {str(k): as_list(v) for k, v in value.items()}
    return {"AWS": as_list(value)}


def block_principals(value: object) -> Principals:
    """`principals { type, identifiers }` blocks of a policy document."""
    if isinstance(value, Hidden):
        return value
    if not value:
        return None
    out: dict[str, list[object]] = {}
    for block in as_list(value):
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if not isinstance(kind, str):
            return kind if isinstance(kind, Hidden) else HIDDEN
        if kind == "*":
            return "*"
        out.setdefault(kind, []).extend(as_list(block.get("identifiers")))
    return out


def block_conditions(value: object) -> list[Condition] | Hidden:
    """`condition { test, variable, values }` blocks of a policy document."""
    if isinstance(value, Hidden):
        return value
    out: list[Condition] = []
    for block in as_list(value):
        if not isinstance(block, dict):
            continue
        test, variable = block.get("test"), block.get("variable")
        if not isinstance(test, str) or not isinstance(variable, str):
            return next((x for x in (test, variable) if isinstance(x, Hidden)), HIDDEN)
        out.append(Condition(test, variable, tuple(as_list(block.get("values")))))
    return out


def listish(value: object) -> list[object] | None:
    """A document block's list attribute: None when unset or empty."""
    if value is None or value == []:
        return None
    return as_list(value)


# ----------------------------------------------------------------- matching


def match(pattern: object, value: str) -> Tri:
    """IAM wildcard match of an action: case-insensitive, as IAM matches actions; None for a
    hidden pattern."""
    if isinstance(pattern, Hidden):
        return None
    if not isinstance(pattern, str):
        return False
    return _wildcard_match(pattern, value, True)


def resource_match(pattern: object, value: str) -> Tri:
    """IAM wildcard match of a resource ARN: case-sensitive, as IAM matches ARNs; None for a
    hidden pattern."""
    if isinstance(pattern, Hidden):
        return None
    if not isinstance(pattern, str):
        return False
    return _wildcard_match(pattern, value, False)


@lru_cache(maxsize=8192)
def _wildcard_match(pattern: str, value: str, ignore_case: bool) -> bool:
    """`*` any run of characters, `?` one; nothing else is special (IAM has no character
    classes: `[1]` is text). Memoised: every copy of a stack asks the same few pairs."""
    return _wildcard(pattern, ignore_case).fullmatch(value) is not None


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.S | (re.I if ignore_case else 0))


def any_true(values: list[Tri]) -> Tri:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


def all_true(values: list[Tri]) -> Tri:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def action_covered(stmt: Statement, action: str) -> Tri:
    """Does the statement's Action (or NotAction) cover `action`?"""
    if stmt.actions is not None:
        return any_true([match(p, action) for p in stmt.actions])
    if stmt.not_actions is not None:
        excluded = any_true([match(p, action) for p in stmt.not_actions])
        return None if excluded is None else not excluded
    return False


def actions_covered(stmt: Statement, required: str) -> Tri:
    """All concrete actions a required pattern stands for (`kms:GenerateDataKey*` is the
    four `GenerateDataKey...` actions of the Service Authorization Reference)."""
    concrete = authorization.expand(required) or (required,)
    return all_true([action_covered(stmt, action) for action in concrete])


def is_wildcard_action(pattern: object, service: str) -> bool:
    return isinstance(pattern, str) and pattern.lower() in ("*", f"{service}:*")


def principal_matches(stmt: Statement, kind: str, identifier: str) -> Tri:
    principals = stmt.principals
    if principals is None:
        return False
    if principals == "*":
        return True
    if isinstance(principals, Hidden) or not isinstance(principals, dict):
        return None
    results: list[Tri] = []
    for key, ids in principals.items():
        if key.lower() != kind.lower():
            continue
        for ident in ids:
            if isinstance(ident, Hidden):
                results.append(None)
            elif isinstance(ident, str):
                results.append(ident == "*" or ident.lower() == identifier.lower())
    return any_true(results)


def principal_is_everyone(stmt: Statement) -> Tri:
    principals = stmt.principals
    if principals == "*":
        return True
    if isinstance(principals, Hidden):
        return None
    if isinstance(principals, dict):
        return any(isinstance(i, str) and i == "*" for ids in principals.values() for i in ids)
    return False


STRING_EQUALS = ("stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike")


def operator_base(operator: str) -> str:
    """`ForAnyValue:StringEqualsIfExists` -> `stringequals`."""
    base = operator.lower()
    for prefix in ("forallvalues:", "foranyvalue:"):
        if base.startswith(prefix):
            base = base[len(prefix) :]
    return base.removesuffix("ifexists")


def condition_requires(stmt: Statement, key: str, expected: str) -> Tri:
    """True when a condition pins `key` to `expected` (string or Bool operators; an
    `...IfExists` operator pins nothing, since a request without the key satisfies it)."""
    if isinstance(stmt.conditions, Hidden):
        return None
    results: list[Tri] = []
    for cond in stmt.conditions:
        if cond.key.lower() != key.lower():
            continue
        # `...IfExists` holds when the key is absent: it pins nothing (IAM condition operators)
        if cond.operator.lower().endswith("ifexists"):
            continue
        if operator_base(cond.operator) not in (*STRING_EQUALS, "bool"):
            continue
        values: list[Tri] = []
        for value in cond.values:
            if isinstance(value, bool):
                value = "true" if value else "false"
            if isinstance(value, Hidden):
                values.append(None)
            elif isinstance(value, str):
                values.append(value.lower() == expected.lower())
            else:
                values.append(False)
        results.append(all_true(values) if values else False)
    return any_true(results)


def has_condition_key(stmt: Statement, key: str) -> Tri:
    if isinstance(stmt.conditions, Hidden):
        return None
    return any(cond.key.lower() == key.lower() for cond in stmt.conditions)
