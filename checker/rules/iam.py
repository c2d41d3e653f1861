"""IAM policies as the plan holds them, read into the shared statements of `checker.core.iam`.

Policies reach a plan in three shapes: a JSON string Terraform knows, an
`aws_iam_policy_document` data source (read at plan time, or deferred with its
statement blocks partly unknown), or an expression only known after apply. All
three become `Statement`s here. A part Terraform hides is an `Unknown` (naming
its references, or keeping its template shape when the HCL source gives one).
Answers are tri-state: True, False, or None for "cannot be decided from this plan".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from checker.core.iam import (
    Condition,
    Hidden,
    Statement,
    Tri,
    action_covered,
    actions_covered,
    all_true,
    any_true,
    block_conditions,
    block_principals,
    condition_requires,
    has_condition_key,
    is_wildcard_action,
    listish,
    principal_is_everyone,
    principal_matches,
    statements_from_json,
    statements_from_object,
)
from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown, Value, decode_json

__all__ = [
    "Condition",
    "Hidden",
    "Policy",
    "Statement",
    "Tri",
    "action_covered",
    "actions_covered",
    "all_true",
    "any_true",
    "condition_requires",
    "has_condition_key",
    "is_wildcard_action",
    "policy_at",
    "principal_is_everyone",
    "principal_matches",
    "resource_entries",
    "statements_from_document",
    "statements_from_json",
    "statements_from_object",
]


@dataclass
class Policy:
    statements: list[Statement]
    complete: bool
    reason: str = ""
    origins: list[str] = field(default_factory=list)


def _document_field(model: PlanModel, doc: Instance, index: int, name: str) -> Value:
    return model.settle(doc, "statement", index, name)


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
                    actions=listish(actions),
                    not_actions=listish(not_actions),
                    resources=resources if isinstance(resources, Unknown) else listish(resources),
                    not_resources=(
                        not_resources
                        if isinstance(not_resources, Unknown)
                        else listish(not_resources)
                    ),
                    principals=block_principals(field_("principals")),
                    not_principals=block_principals(field_("not_principals")),
                    conditions=block_conditions(field_("condition")),
                    origin=doc.address,
                    index=index,
                )
            )
    return out


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


def resource_entries(stmt: Statement) -> list[Value]:
    """The statement's Resource entries as plan values (a hidden list is one unknown entry).

    Statements the rules read are built from plan values, so every leaf is a `Value`.
    """
    resources = stmt.resources
    if isinstance(resources, Hidden):
        return [cast(Value, resources)]
    return [cast(Value, entry) for entry in resources or []]
