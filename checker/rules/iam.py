"""IAM policy semantics shared by the rules: statements, wildcards, principals, conditions.

Policies reach a plan in three shapes: a JSON string Terraform knows, an
`aws_iam_policy_document` data source (read at plan time, or deferred with its
statement blocks partly unknown), or an expression only known after apply. All
three become `Statement`s here. A part Terraform hides is an `Unknown` (naming
its references, or keeping its template shape when the HCL source gives one).
Answers are tri-state: True, False, or None for "cannot be decided from this plan".
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field

from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown, Value, decode_json, refs_in

Tri = bool | None


@dataclass(frozen=True)
class Condition:
    operator: str
    key: str
    values: tuple[Value, ...]


@dataclass
class Statement:
    effect: str
    actions: list[Value] | None = None
    not_actions: list[Value] | None = None
    resources: list[Value] | Unknown | None = None
    not_resources: list[Value] | Unknown | None = None
    principals: dict[str, list[Value]] | str | Unknown | None = None
    not_principals: dict[str, list[Value]] | str | Unknown | None = None
    conditions: list[Condition] | Unknown = field(default_factory=list)
    origin: str = ""
    index: int = 0

    @property
    def allows(self) -> bool:
        return self.effect.lower() == "allow"

    @property
    def denies(self) -> bool:
        return self.effect.lower() == "deny"


@dataclass
class Policy:
    statements: list[Statement]
    complete: bool
    reason: str = ""
    origins: list[str] = field(default_factory=list)


def _as_list(value: Value) -> list[Value]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# ------------------------------------------------------------------ parsing


def statements_from_json(text: str, origin: str) -> list[Statement] | None:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, TypeError, RecursionError):
        return None
    return statements_from_object(document, origin)


def statements_from_object(document: Value, origin: str) -> list[Statement] | None:
    """Statements of a policy document as a value (parsed JSON, or what `jsonencode` was given).

    Unknown leaves stay `Unknown` in the statements; None when the document or its
    statement list is not readable as a policy.
    """
    if not isinstance(document, dict):
        return None
    statements = document.get("Statement")
    if isinstance(statements, Unknown):
        return None
    out: list[Statement] = []
    for index, raw in enumerate(_as_list(statements)):
        if not isinstance(raw, dict):
            return None
        out.append(
            Statement(
                effect=str(raw.get("Effect", "")),
                actions=_as_list(raw["Action"]) if "Action" in raw else None,
                not_actions=_as_list(raw["NotAction"]) if "NotAction" in raw else None,
                resources=_as_list(raw["Resource"]) if "Resource" in raw else None,
                not_resources=_as_list(raw["NotResource"]) if "NotResource" in raw else None,
                principals=_json_principal(raw.get("Principal")),
                not_principals=_json_principal(raw.get("NotPrincipal")),
                conditions=_json_conditions(raw.get("Condition")),
                origin=origin,
                index=index,
            )
        )
    return out


def _json_conditions(value: Value) -> list[Condition] | Unknown:
    if isinstance(value, Unknown):
        return value
    conditions: list[Condition] = []
    for operator, pairs in (value if isinstance(value, dict) else {}).items():
        if isinstance(pairs, Unknown):
            return pairs
        for key, values in (pairs if isinstance(pairs, dict) else {}).items():
            conditions.append(Condition(str(operator), str(key), tuple(_as_list(values))))
    return conditions


def _json_principal(value: Value) -> dict[str, list[Value]] | str | Unknown | None:
    if value is None or isinstance(value, Unknown):
        return value
    if value == "*":
        return "*"
    if isinstance(value, dict):
        return {str(k): _as_list(v) for k, v in value.items()}
    return {"AWS": _as_list(value)}


def _document_field(model: PlanModel, doc: Instance, index: int, name: str) -> Value:
    return model.settle(doc, "statement", index, name)


def _block_principals(value: Value) -> dict[str, list[Value]] | str | Unknown | None:
    if isinstance(value, Unknown):
        return value
    if not value:
        return None
    out: dict[str, list[Value]] = {}
    for block in _as_list(value):
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        ids = block.get("identifiers")
        if not isinstance(kind, str):
            return kind if isinstance(kind, Unknown) else Unknown()
        if kind == "*":
            return "*"
        out.setdefault(str(kind), []).extend(ids if isinstance(ids, list) else [ids])
    return out


def _block_conditions(value: Value) -> list[Condition] | Unknown:
    if isinstance(value, Unknown):
        return value
    out: list[Condition] = []
    for block in _as_list(value):
        if not isinstance(block, dict):
            continue
        values = block.get("values")
        test, variable = block.get("test"), block.get("variable")
        if not isinstance(test, str) or not isinstance(variable, str):
            return Unknown(refs=refs_in(block))
        out.append(
            Condition(
                str(block.get("test", "")),
                str(block.get("variable", "")),
                tuple(values if isinstance(values, list) else [values]),
            )
        )
    return out


def statements_from_document(model: PlanModel, doc: Instance) -> list[Statement]:
    """Statements of an `aws_iam_policy_document`, known or partly unknown (computed once)."""
    return model.view_of(_statements_from_document, doc)


def _statements_from_document(model: PlanModel, doc: Instance) -> list[Statement]:
    known_json = doc.get("json")
    if isinstance(known_json, str):
        parsed = statements_from_json(known_json, doc.address)
        if parsed is not None:
            return parsed
    blocks = doc.get("statement")
    out: list[Statement] = []
    if isinstance(blocks, list):
        for index, block in enumerate(blocks):
            if not isinstance(block, dict):
                continue

            def field_(name: str, i: int = index) -> Value:
                return _document_field(model, doc, i, name)

            effect = field_("effect")
            actions = field_("actions")
            not_actions = field_("not_actions")
            resources = field_("resources")
            not_resources = field_("not_resources")
            out.append(
                Statement(
                    effect=effect if isinstance(effect, str) and effect else "Allow",
                    actions=_listish(actions),
                    not_actions=_listish(not_actions),
                    resources=resources if isinstance(resources, Unknown) else _listish(resources),
                    not_resources=(
                        not_resources
                        if isinstance(not_resources, Unknown)
                        else _listish(not_resources)
                    ),
                    principals=_block_principals(field_("principals")),
                    not_principals=_block_principals(field_("not_principals")),
                    conditions=_block_conditions(field_("condition")),
                    origin=doc.address,
                    index=index,
                )
            )
    return out


def _listish(value: Value) -> list[Value] | None:
    if value is None or value == []:
        return None
    if isinstance(value, Unknown):
        return [value]
    return value if isinstance(value, list) else [value]


def policy_at(model: PlanModel, inst: Instance, *path: str | int) -> Policy:
    """The policy held by `inst` at `path`, however the plan shows it."""
    value = inst.get(*path)
    if isinstance(value, str) and value:
        parsed = statements_from_json(value, inst.address)
        if parsed is not None:
            return Policy(parsed, True, origins=[inst.address])
        return Policy([], False, "the policy is not valid JSON", [inst.address])
    if value is None and not inst.references(*path):
        return Policy([], True, origins=[inst.address])
    docs = model.referenced(inst, *path, types=("aws_iam_policy_document",))
    if docs:
        statements: list[Statement] = []
        for doc, _attr in docs:
            statements.extend(statements_from_document(model, doc))
        return Policy(statements, True, origins=[doc.address for doc, _ in docs])
    parsed = statements_from_object(decode_json(model.settle(inst, *path)), inst.address)
    if parsed is not None:
        return Policy(parsed, True, origins=[inst.address])
    return Policy(
        [],
        False,
        f"{'.'.join(map(str, path))} is only known after apply and no source settles it",
        [inst.address],
    )


# ----------------------------------------------------------------- matching


def _match(pattern: Value, value: str) -> Tri:
    if isinstance(pattern, Unknown):
        return None
    if not isinstance(pattern, str):
        return False
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())


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
        return any_true([_match(p, action) for p in stmt.actions])
    if stmt.not_actions is not None:
        excluded = any_true([_match(p, action) for p in stmt.not_actions])
        return None if excluded is None else not excluded
    return False


EXPANSIONS = {
    "kms:generatedatakey*": ("kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"),
}


def actions_covered(stmt: Statement, required: str) -> Tri:
    concrete = EXPANSIONS.get(required.lower(), (required,))
    return all_true([action_covered(stmt, action) for action in concrete])


def is_wildcard_action(pattern: Value, service: str) -> bool:
    return isinstance(pattern, str) and pattern.lower() in ("*", f"{service}:*")


def principal_matches(stmt: Statement, kind: str, identifier: str) -> Tri:
    principals = stmt.principals
    if principals is None:
        return False
    if principals == "*":
        return True
    if isinstance(principals, Unknown) or not isinstance(principals, dict):
        return None
    results: list[Tri] = []
    for key, ids in principals.items():
        if key.lower() != kind.lower():
            continue
        for ident in ids:
            if isinstance(ident, Unknown):
                results.append(None)
            elif isinstance(ident, str):
                results.append(ident == "*" or ident.lower() == identifier.lower())
    return any_true(results)


def principal_is_everyone(stmt: Statement) -> Tri:
    principals = stmt.principals
    if principals == "*":
        return True
    if isinstance(principals, Unknown):
        return None
    if isinstance(principals, dict):
        return any(isinstance(i, str) and i == "*" for ids in principals.values() for i in ids)
    return False


STRING_EQUALS = ("stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike")


def _operator_base(operator: str) -> str:
    base = operator.lower()
    for prefix in ("forallvalues:", "foranyvalue:"):
        if base.startswith(prefix):
            base = base[len(prefix) :]
    return base.removesuffix("ifexists")


def condition_requires(stmt: Statement, key: str, expected: str) -> Tri:
    """True when a condition pins `key` to `expected` (string or Bool operators)."""
    if isinstance(stmt.conditions, Unknown):
        return None
    results: list[Tri] = []
    for cond in stmt.conditions:
        if cond.key.lower() != key.lower():
            continue
        base = _operator_base(cond.operator)
        if base not in (*STRING_EQUALS, "bool"):
            continue
        values: list[Tri] = []
        for value in cond.values:
            if isinstance(value, bool):
                value = "true" if value else "false"
            if isinstance(value, Unknown):
                values.append(None)
            elif isinstance(value, str):
                values.append(value.lower() == expected.lower())
            else:
                values.append(False)
        results.append(all_true(values) if values else False)
    return any_true(results)


def has_condition_key(stmt: Statement, key: str) -> Tri:
    if isinstance(stmt.conditions, Unknown):
        return None
    return any(cond.key.lower() == key.lower() for cond in stmt.conditions)
