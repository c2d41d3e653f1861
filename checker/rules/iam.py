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
    merge_documents,
    principal_is_everyone,
    principal_matches,
    statements_from_json,
    statements_from_object,
)
from checker.plan.model import Instance
from checker.plan.sensitive import CycleError
from checker.plan.values import Unknown, Value, decode_json
from checker.rules.queries import RuleModel

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
    "document_policy",
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


HIDDEN = "is only known after apply and no source settles it"


def statements_from_document(model: RuleModel, doc: Instance) -> list[Statement]:
    """Statements of an `aws_iam_policy_document` that are surely in it (see `document_policy`)."""
    return document_policy(model, doc).statements


def document_policy(model: RuleModel, doc: Instance) -> Policy:
    """An `aws_iam_policy_document` as the provider builds it (computed once per document).

    Its JSON when the plan knows it (Terraform merged it); else its parts merged
    as the provider merges them (`merge_documents`): `source_json`, each of
    `source_policy_documents`, its `statement` blocks, each of
    `override_policy_documents`, `override_json`. A part that is another policy
    document's JSON is that document's policy; a part the plan and the sources
    hide makes the policy incomplete, naming it, and the statements it could
    override are left out, so a rule never passes or fails on what it cannot see.
    """
    return model.view_of(_document_policy, doc)


def _document_policy(model: RuleModel, doc: Instance) -> Policy:
    known_json = doc.get("json")
    if isinstance(known_json, str):
        parsed = statements_from_json(known_json, doc.address)
        if parsed is not None:
            return Policy(parsed, True, origins=[doc.address])
    policies = [
        *_json_parts(model, doc, "source_json"),
        *_json_parts(model, doc, "source_policy_documents"),
        _own_statements(model, doc),
        *_json_parts(model, doc, "override_policy_documents"),
        *_json_parts(model, doc, "override_json"),
    ]
    parts: list[list[Statement] | None] = []
    for policy in policies:
        if not policy.complete:
            parts.append(None)  # what it hides may override what came before it
        parts.append(policy.statements)
    statements, complete = merge_documents(parts)
    reason = next((p.reason for p in policies if not p.complete), "")
    origins = list(dict.fromkeys(o for p in policies for o in p.origins))
    return Policy(statements, complete, reason, origins or [doc.address])


def _own_statements(model: RuleModel, doc: Instance) -> Policy:
    """The document's `statement` blocks, each field settled from the plan and the sources."""
    blocks = doc.get("statement")
    if isinstance(blocks, Unknown):
        return Policy([], False, f"{doc.address}: statement {HIDDEN}", [doc.address])
    out: list[Statement] = []
    for index, block in enumerate(blocks if isinstance(blocks, list) else []):
        if not isinstance(block, dict):
            continue

        def field_(name: str, i: int = index) -> Value:
            return model.settle(doc, "statement", i, name)

        effect, sid = field_("effect"), field_("sid")
        resources, not_resources = field_("resources"), field_("not_resources")
        out.append(
            Statement(
                effect=effect if isinstance(effect, str) and effect else "Allow",
                actions=listish(field_("actions")),
                not_actions=listish(field_("not_actions")),
                resources=resources if isinstance(resources, Unknown) else listish(resources),
                not_resources=(
                    not_resources if isinstance(not_resources, Unknown) else listish(not_resources)
                ),
                principals=block_principals(field_("principals")),
                not_principals=block_principals(field_("not_principals")),
                conditions=block_conditions(field_("condition")),
                origin=doc.address,
                index=index,
                sid=sid if isinstance(sid, str | Unknown) else "",
            )
        )
    return Policy(out, True, origins=[doc.address])


def _json_parts(model: RuleModel, doc: Instance, name: str) -> list[Policy]:
    """The policies a JSON attribute of the document merges in (a list, or one string)."""
    value = model.settle(doc, name)
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, list):
        return [_json_part(model, doc, item, f"{name}[{i}]") for i, item in enumerate(value)]
    return [_json_part(model, doc, value, name)]


def _json_part(model: RuleModel, doc: Instance, value: Value, where: str) -> Policy:
    if value is None:
        return Policy([], True)  # the provider skips a null document
    if isinstance(value, str):
        parsed = statements_from_json(value, doc.address)
        if parsed is None:
            return Policy([], False, f"{doc.address}: {where} is not a policy document")
        return Policy(parsed, True, origins=[doc.address])
    if isinstance(value, Unknown):
        source = _document_named(model, value)
        if source is not None and source.address != doc.address:
            try:
                return document_policy(model, source)
            except CycleError:  # documents built from each other: Terraform refuses them
                return Policy([], False, f"{doc.address}: {where} depends on itself")
    parsed = statements_from_object(decode_json(value), doc.address)
    if parsed is not None:
        return Policy(parsed, True, origins=[doc.address])
    return Policy([], False, f"{doc.address}: {where} {HIDDEN}", [doc.address])


def _document_named(model: RuleModel, value: Unknown) -> Instance | None:
    """The one policy document whose `json` (or `minified_json`) an unknown value is."""
    docs = model.designated(value, types=("aws_iam_policy_document",))
    if len(docs) != 1:
        return None
    doc = docs[0]
    refs = (value.reference,) if value.reference is not None else value.refs
    if (
        refs
        and all(model.points_at(ref, doc) for ref in refs)
        and any(
            model.points_at(ref, doc, attribute) for ref in refs for attribute in JSON_ATTRIBUTES
        )
    ):
        return doc
    return None


JSON_ATTRIBUTES = ("json", "minified_json")


def policy_at(model: RuleModel, inst: Instance, *path: str | int) -> Policy:
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
        policies = [document_policy(model, doc) for doc, _attr in docs]
        hidden = next((p for p in policies if not p.complete), None)
        return Policy(
            [stmt for policy in policies for stmt in policy.statements],
            hidden is None,
            hidden.reason if hidden is not None else "",
            [doc.address for doc, _ in docs],
        )
    parsed = statements_from_object(decode_json(model.settle(inst, *path)), inst.address)
    if parsed is not None:
        return Policy(parsed, True, origins=[inst.address])
    return Policy(
        [],
        False,
        f"{'.'.join(map(str, path))} {HIDDEN}",
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


def not_resource_entries(stmt: Statement) -> list[Value]:
    """The statement's NotResource entries as plan values (see `resource_entries`)."""
    resources = stmt.not_resources
    if isinstance(resources, Hidden):
        return [cast(Value, resources)]
    return [cast(Value, entry) for entry in resources or []]
