"""Helpers shared by the TAP custom checks (not a check itself).

Checkov hands a check one resource's `conf`, with every value wrapped in a
list. In a plan, an attribute Terraform only knows after apply becomes its
first reference ("aws_s3_bucket.content.arn") or, with
EVAL_TF_PLAN_AFTER_UNKNOWN set, the marker "true_after_unknown". In HCL mode
references look the same once checkov has rendered them. Cross-resource
checks read the other resources from the graph checkov attaches to every check.

The vocabulary is the checker's own: addresses and IAM policy semantics come
from `checker.core` (standard library only), imported from the checker that
runs checkov (`CHECKER_CORE_PATH`) or from the package these checks ship in. Reference
resolution is shared too: in the plan view the checker writes
(`checker/engines/checkov_plan.py`), `tap_links` maps each attribute to the
instances it references; without it (a plan or HCL scanned by hand) the
references checkov shows are matched by address.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checkov.common.models.enums import CheckResult


def _load_checker_package() -> None:
    """Make `checker` importable from the checker package alone (`CHECKER_CORE_PATH`, set
    by the checker that runs checkov; else the package these checks ship in).

    The package is loaded by its path, never by putting its parent on `sys.path`:
    in an installed checker that parent is a site-packages full of our own pins,
    which would shadow checkov's."""
    if "checker" in sys.modules:
        return
    folder = Path(os.environ.get("CHECKER_CORE_PATH") or Path(__file__).resolve().parents[2])
    spec = importlib.util.spec_from_file_location(
        "checker", folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"the checker package is not in {folder}")
    package = importlib.util.module_from_spec(spec)
    sys.modules["checker"] = package
    spec.loader.exec_module(package)


_load_checker_package()

from checker.aws import managed  # noqa: E402, F401  (for the checks)
from checker.core import iam, key_policy  # noqa: E402, F401  (key_policy: for the checks)
from checker.core.address import designates, split_address, strip_key  # noqa: E402

AFTER_UNKNOWN = "true_after_unknown"
LINKS = "tap_links"
REFERENCE = re.compile(
    r"^(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]*\.[\w-]+(?:\[[^\]]*\])?(?:\.[\w*-]+)*"
)
PASSED, FAILED, UNKNOWN = CheckResult.PASSED, CheckResult.FAILED, CheckResult.UNKNOWN


def fail(check: Any, found: str, expected: str) -> CheckResult:
    """FAILED, with what was found and what was expected in the check's details."""
    check.details.append(f"found {found}; expected {expected}")
    return FAILED


def option(rule_id: str, name: str, default: Any) -> Any:
    """A rule option of the checker's configuration (`CHECKER_RULE_OPTIONS`), else the default."""
    try:
        options = json.loads(os.environ.get("CHECKER_RULE_OPTIONS") or "{}")
    except json.JSONDecodeError:
        return default
    rule = options.get(rule_id) if isinstance(options, dict) else None
    return rule.get(name, default) if isinstance(rule, dict) else default


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


def shown(value: Any) -> str:
    """A value as Terraform prints it; `(known after apply)` for what the plan hides."""
    value = first(value)
    if is_unknown(value):
        return "(known after apply)"
    if value is None:
        return "null"
    return json.dumps(value) if not isinstance(value, str) else f'"{value}"'


def target(reference: str) -> str:
    """'aws_s3_bucket.content.arn' -> 'aws_s3_bucket.content' (keeps data./module. prefixes)."""
    match = REFERENCE.match(reference)
    parts = split_address(match.group(0) if match else reference)
    i = 0
    while i + 1 < len(parts) and strip_key(parts[i])[0] == "module":
        i += 2
    size = 3 if i < len(parts) and parts[i] == "data" else 2
    return ".".join(parts[: i + size])


def address_of(conf: dict[str, Any]) -> str:
    return str(conf.get("__address__", ""))


def module_prefix(address: str) -> str:
    parts = split_address(address)
    i = 0
    while i + 1 < len(parts) and strip_key(parts[i])[0] == "module":
        i += 2
    return ".".join(parts[:i])


def same(origin: str, reference_target: str, address: str) -> bool:
    """Does a reference made in `origin`'s module name the resource at `address`?"""
    prefix = module_prefix(origin)
    full = (
        f"{prefix}.{reference_target}"
        if prefix and not reference_target.startswith("module.")
        else reference_target
    )
    return designates(full, address) or designates(reference_target, address)


def file_of(conf: dict[str, Any]) -> str:
    value = first(conf.get("__file__"))
    return value if isinstance(value, str) else ""


def nodes(
    graph: Any, type_: str | None, kind: str = "resource", near: dict[str, Any] | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(address, conf) of every resource (or data source) of `type_` (None: any) in the graph.

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
        if attrs.get("block_type_") != kind or (
            type_ is not None and attrs.get("resource_type") not in (type_, f"data.{type_}")
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
    """Targets the attribute (or the blocks it holds) references, as checkov shows them."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            text = unwrap_interpolation(value)
            if is_reference(text):
                out.append(target(text))

    walk(conf.get(name))
    return out


def all_references(conf: dict[str, Any]) -> list[str]:
    """Every reference checkov lists for the resource (`references_`)."""
    out: list[str] = []
    for group in conf.get("references_", []) or []:
        for ref in group if isinstance(group, list) else [group]:
            if isinstance(ref, str) and is_reference(ref):
                out.append(ref)
    return out


def links(conf: dict[str, Any]) -> dict[str, list[str]] | None:
    """The view's resolved references of this resource; None when it has none."""
    raw = first(conf.get(LINKS))
    if not isinstance(raw, str):
        return None
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def linked(
    graph: Any, conf: dict[str, Any], attribute: str, type_: str, kind: str = "resource"
) -> list[tuple[str, dict[str, Any]]]:
    """Resources of `type_` the attribute references: the view's links, else by address."""
    resolved = links(conf)
    origin = address_of(conf)
    if resolved is not None:
        wanted = set(resolved.get(attribute, []))
        return [(a, c) for a, c in nodes(graph, type_, kind, conf) if a in wanted]
    refs = references(conf, attribute)
    return [
        (a, c) for a, c in nodes(graph, type_, kind, conf) if any(same(origin, r, a) for r in refs)
    ]


def links_to(graph: Any, conf: dict[str, Any], attribute: str, address: str) -> bool:
    """Does the attribute reference the resource at `address` (links, else by address)?"""
    resolved = links(conf)
    if resolved is not None:
        return address in resolved.get(attribute, [])
    origin = address_of(conf)
    return any(same(origin, r, address) for r in references(conf, attribute))


def depends_on(conf: dict[str, Any]) -> list[str] | None:
    """Addresses depends_on names; None when the input does not carry them (a plain plan)."""
    resolved = links(conf)
    if resolved is not None:
        return list(resolved.get("depends_on", []))
    if "depends_on" not in conf:
        return None if "__change_actions__" in conf else []
    origin = address_of(conf)
    prefix = module_prefix(origin)
    out: list[str] = []
    for item in conf["depends_on"]:
        for entry in item if isinstance(item, list) else [item]:
            if isinstance(entry, str):
                local = target(entry.removeprefix("${").removesuffix("}"))
                out.append(f"{prefix}.{local}" if prefix else local)
    return out


def names_function(
    graph: Any, conf: dict[str, Any], attribute: str, function: tuple[str, dict[str, Any]]
) -> bool:
    """Does `attribute` (a reference, or a known name or ARN) designate `function`?"""
    address, fn = function
    if links_to(graph, conf, attribute, address):
        return True
    value = first(conf.get(attribute))
    return (
        isinstance(value, str)
        and not is_unknown(value)
        and value in (first(fn.get("function_name")), first(fn.get("arn")))
    )


def to_core(value: Any) -> Any:
    """A checkov value with what it leaves unknown marked `iam.HIDDEN`, lists unwrapped."""
    if isinstance(value, dict):
        return {k: to_core(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_core(v) for v in value]
    if isinstance(value, str) and (is_unknown(value) or unrendered(value)):
        return iam.HIDDEN
    return value


def policy_statements(
    graph: Any, conf: dict[str, Any], attribute: str
) -> list[iam.Statement] | None:
    """Statements of a policy attribute: JSON text, or a policy document it references."""
    value = first(conf.get(attribute))
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0]  # checkov parses the JSON of known policies itself
    origin = address_of(conf)
    if isinstance(value, dict):
        return iam.statements_from_object(to_core(value), origin)
    if isinstance(value, str) and not is_unknown(value) and not unrendered(value):
        return iam.statements_from_json(value, origin)
    for address, doc in linked(graph, conf, attribute, "aws_iam_policy_document", "data"):
        known = first(doc.get("json"))
        if isinstance(known, str) and not is_unknown(known):
            return iam.statements_from_json(known, address)
        if any(first(doc.get(name)) not in (None, "", []) for name in MERGED_PARTS):
            return None  # merged from other documents the provider has not read yet: unknown
        return [_from_block(b, address, i) for i, b in enumerate(blocks(doc, "statement"))]
    return None


# what an aws_iam_policy_document merges besides its own statements (the native engine
# merges them, `checker.rules.iam.document_policy`; this engine says unknown)
MERGED_PARTS = (
    "source_policy_documents",
    "override_policy_documents",
    "source_json",
    "override_json",
)


def _from_block(conf: dict[str, Any], origin: str, index: int) -> iam.Statement:
    core = to_core(conf)

    def field(name: str) -> Any:
        value = core.get(name)
        return value[0] if isinstance(value, list) and len(value) == 1 else value

    effect = first(conf.get("effect"))
    return iam.Statement(
        effect=effect if isinstance(effect, str) and effect else "Allow",
        actions=iam.listish(_flat(core.get("actions"))),
        not_actions=iam.listish(_flat(core.get("not_actions"))),
        resources=iam.listish(_flat(core.get("resources"))),
        not_resources=iam.listish(_flat(core.get("not_resources"))),
        principals=iam.block_principals(_blocks(core.get("principals"))),
        not_principals=iam.block_principals(_blocks(core.get("not_principals"))),
        conditions=iam.block_conditions(_blocks(core.get("condition"))),
        origin=origin,
        index=index,
    )


def _blocks(value: Any) -> list[dict[str, Any]]:
    """Blocks with their scalar fields unwrapped and list fields flattened."""
    out: list[dict[str, Any]] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            out.append(
                {
                    k: _flat(v) if k in ("identifiers", "values") else first(v)
                    for k, v in item.items()
                }
            )
    return out


def _flat(value: Any) -> list[Any] | None:
    if value is None:
        return None
    out: list[Any] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, list):
            out.extend(_flat(item) or [])
        elif item is not None:
            out.append(item)
    return out


def service_principals(statement: iam.Statement) -> list[str]:
    principals = statement.principals
    if principals == "*":
        return ["*"]
    if isinstance(principals, dict):
        return [p for p in principals.get("Service", []) if isinstance(p, str)]
    return []
