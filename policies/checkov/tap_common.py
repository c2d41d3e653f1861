"""Helpers shared by the TAP custom checks (not a check itself).

Checkov hands a check one resource's `conf`, with every value wrapped in a
list. In a plan, an attribute Terraform only knows after apply becomes its
first reference ("aws_s3_bucket.content.arn") or, with
EVAL_TF_PLAN_AFTER_UNKNOWN set, the marker "true_after_unknown". In HCL mode
references look the same once checkov has rendered them. Cross-resource
checks read the other resources from the graph checkov attaches to every check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from checkov.common.models.enums import CheckResult

AFTER_UNKNOWN = "true_after_unknown"
REFERENCE = re.compile(
    r"^(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]*\.[\w-]+(?:\[[^\]]*\])?(?:\.[\w*-]+)*"
)
PASSED, FAILED, UNKNOWN = CheckResult.PASSED, CheckResult.FAILED, CheckResult.UNKNOWN


def first(value: Any) -> Any:
    """Unwrap checkov's list wrapping of scalar attributes."""
    while isinstance(value, list) and len(value) == 1 and not isinstance(value[0], dict):
        value = value[0]
    return value


def block(conf: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = conf.get(name)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    if isinstance(value, dict):
        return value
    return None


def blocks(conf: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = conf.get(name)
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return [value] if isinstance(value, dict) else []


def unwrap_interpolation(value: str) -> str:
    """'${aws_x.y.arn}/*' (HCL left unrendered) -> 'aws_x.y.arn/*'."""
    match = re.match(r"^\$\{([^{}]*)\}(.*)$", value, re.S)
    return match.group(1) + match.group(2) if match else value


def unrendered(value: Any) -> bool:
    """True when HCL left an expression in the value (checkov could not evaluate it)."""
    text = json.dumps(value, default=str)
    return "${" in text or bool(re.search(r"(?<![\w-])(data|var|local)\.[a-z]", text))


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and bool(REFERENCE.match(value)) and " " not in value


def is_unknown(value: Any) -> bool:
    """A value the plan leaves to apply time (a bare reference or the after_unknown marker)."""
    return value == AFTER_UNKNOWN or is_reference(value)


def target(reference: str) -> str:
    """'aws_s3_bucket.content.arn' -> 'aws_s3_bucket.content' (keeps data./module. prefixes)."""
    match = REFERENCE.match(reference)
    text = match.group(0) if match else reference
    parts = text.split(".")
    out: list[str] = []
    i = 0
    while i < len(parts) and parts[i] == "module":
        out += parts[i : i + 2]
        i += 2
    if i < len(parts) and parts[i] == "data":
        out += parts[i : i + 3]
    else:
        out += parts[i : i + 2]
    return ".".join(out)


def address_of(conf: dict[str, Any]) -> str:
    return str(conf.get("__address__", ""))


def module_prefix(address: str) -> str:
    parts = address.split(".")
    out: list[str] = []
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        out += parts[i : i + 2]
        i += 2
    return ".".join(out)


def strip_index(address: str) -> str:
    return re.sub(r"\[[^\]]*\]$", "", address)


def same(origin: str, reference_target: str, address: str) -> bool:
    """Does a reference made in `origin`'s module name the resource at `address`?"""
    prefix = module_prefix(origin)
    full = (
        f"{prefix}.{reference_target}"
        if prefix and not reference_target.startswith("module.")
        else reference_target
    )
    return strip_index(address) in (full, reference_target) or strip_index(address).endswith(
        "." + full
    )


def file_of(conf: dict[str, Any]) -> str:
    value = first(conf.get("__file__"))
    return value if isinstance(value, str) else ""


def nodes(
    graph: Any, type_: str, kind: str = "resource", near: dict[str, Any] | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(address, conf) of every resource (or data source) of `type_` in the graph.

    With `near`, a plan's resources are limited to the plan file `near` comes from:
    one checkov run may scan several plans into one graph.
    """
    if graph is None:
        return
    plan_file = file_of(near) if near is not None else ""
    plan_file = plan_file if plan_file.endswith(".json") else ""
    for _, attrs in graph.nodes():
        if plan_file and attrs.get("file_path_") != plan_file:
            continue
        if (
            attrs.get("resource_type") not in (type_, f"data.{type_}")
            or attrs.get("block_type_") != kind
        ):
            continue
        config = attrs.get("config_") or {}
        for named in config.values():
            if isinstance(named, dict):
                for conf in named.values():
                    if isinstance(conf, dict):
                        address = str(conf.get("__address__") or attrs.get("__address__", ""))
                        if (
                            kind == "data"
                            and not address.startswith("data.")
                            and ".data." not in address
                        ):
                            address = f"data.{address}"
                        yield address, conf


def references(conf: dict[str, Any], name: str) -> list[str]:
    """Targets the attribute references, in plan (value or references_) and HCL form."""
    out: list[str] = []
    value = conf.get(name)
    values = value if isinstance(value, list) else [value]
    for item in values:
        item = first(item)
        if isinstance(item, str) and is_reference(item):
            out.append(target(item))
    return out


def names_function(
    graph: Any, origin: str, conf: dict[str, Any], attribute: str, function: str
) -> bool:
    """Does `attribute` (a reference, or a known name) designate the function `function`?"""
    if function in references(conf, attribute):
        return True
    name = first(conf.get(attribute))
    for address, fn in nodes(graph, "aws_lambda_function", near=conf):
        if same(origin, function, address) and name in (
            first(fn.get("function_name")),
            first(fn.get("arn")),
        ):
            return True
    return False


def all_references(conf: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for group in conf.get("references_", []) or []:
        for ref in group if isinstance(group, list) else [group]:
            if isinstance(ref, str) and is_reference(ref):
                out.append(ref)
    return out


def depends_on(conf: dict[str, Any]) -> list[str] | None:
    """Explicit depends_on targets; None when the input does not carry them (a plain plan)."""
    if "depends_on" not in conf:
        return None if "__change_actions__" in conf else []
    out: list[str] = []
    for item in conf["depends_on"]:
        for entry in item if isinstance(item, list) else [item]:
            if isinstance(entry, str):
                out.append(target(entry.removeprefix("${").removesuffix("}")))
    return out


def policy_statements(
    graph: Any, origin: str, value: Any, near: dict[str, Any] | None = None
) -> list[dict[str, Any]] | None:
    """Statements of a policy attribute: JSON text, or a reference to a policy document."""
    value = first(value)
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0]  # checkov parses the JSON of known policies itself
    if isinstance(value, dict):
        return _as_list(value.get("Statement"))
    if isinstance(value, str) and not is_unknown(value):
        try:
            document = json.loads(value)
        except json.JSONDecodeError:
            return None
        return _as_list(document.get("Statement")) if isinstance(document, dict) else None
    if isinstance(value, str) and target(value).startswith(
        ("data.aws_iam_policy_document", "module.")
    ):
        for address, conf in nodes(graph, "aws_iam_policy_document", "data", near):
            if same(origin, target(value), address):
                return [_statement_from_block(b) for b in blocks(conf, "statement")]
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statement_from_block(conf: dict[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": first(conf.get("effect")) or "Allow"}
    if conf.get("actions") is not None:
        statement["Action"] = _flat(conf.get("actions"))
    principals: dict[str, list[Any]] = {}
    for principal in blocks(conf, "principals"):
        principals.setdefault(str(first(principal.get("type"))), []).extend(
            _flat(principal.get("identifiers"))
        )
    if principals:
        statement["Principal"] = "*" if "*" in principals else principals
    conditions: dict[str, dict[str, Any]] = {}
    for cond in blocks(conf, "condition"):
        conditions.setdefault(str(first(cond.get("test"))), {})[
            str(first(cond.get("variable")))
        ] = _flat(cond.get("values"))
    if conditions:
        statement["Condition"] = conditions
    return statement


def _flat(value: Any) -> list[Any]:
    out: list[Any] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, list):
            out.extend(_flat(item))
        elif item is not None:
            out.append(item)
    return out


def actions_of(statement: dict[str, Any]) -> list[str]:
    return [a for a in _as_list(statement.get("Action")) if isinstance(a, str)]


def allows_action(statement: dict[str, Any], action: str) -> bool:
    from fnmatch import fnmatchcase

    return any(fnmatchcase(action.lower(), p.lower()) for p in actions_of(statement))


def service_principals(statement: dict[str, Any]) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if isinstance(principal, dict):
        return [p for p in _as_list(principal.get("Service")) if isinstance(p, str)]
    return []


def condition_values(statement: dict[str, Any], key: str) -> list[str]:
    out: list[str] = []
    for _operator, pairs in (statement.get("Condition") or {}).items():
        if isinstance(pairs, dict):
            for k, values in pairs.items():
                if k.lower() == key.lower():
                    out += [str(v).lower() for v in _as_list(values)]
    return out
