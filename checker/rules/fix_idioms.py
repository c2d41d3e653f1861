"""What an edit writes, following the idioms around it: the expression the same resource type
already uses in the same module, or a reference to the one resource that can be meant.

A fix never invents a choice: when the neighbours disagree, write nothing the edit could
copy, or the module holds several candidates, the helpers answer None and the rule says a
person decides.
"""

from __future__ import annotations

import json

from checker.plan.instances import Expression, Instance
from checker.rules.queries import RuleModel


def literal(value: object) -> str | None:
    """A constant as HCL text (strings, numbers, booleans), else None."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        text = json.dumps(value)
        return None if isinstance(value, str) and "${" in value else text
    return None


def written_text(expression: Expression) -> str | None:
    """An expression as HCL text when it is a constant or exactly one reference (Terraform
    lists `aws_kms_key.k` beside `aws_kms_key.k.arn`: the longest names the value)."""
    if not expression.present:
        return None
    if expression.has_constant:
        return literal(expression.constant)
    refs = expression.references
    leaves = [r for r in refs if not any(o.startswith(f"{r}.") for o in refs)]
    return leaves[0] if len(leaves) == 1 else None


def as_neighbours_write(
    model: RuleModel, inst: Instance, *path: str | int, type_: str = ""
) -> str | None:
    """The text the other blocks of `type_` (`inst`'s own by default) in `inst`'s module write
    at `path`, when every one that writes it writes the same and at least one does."""
    seen: set[str | None] = set()
    for other in model.resources(type_ or inst.type):
        config = other.config
        if (
            config is None
            or not _beside(other, inst)
            or other.config_address == inst.config_address
        ):
            continue
        expression = config.expression(*path)
        if expression.present:
            seen.add(written_text(expression))
    if len(seen) != 1:
        return None
    return next(iter(seen))


def _beside(other: Instance, inst: Instance) -> bool:
    """Are both blocks in one configuration module with one provider configuration (one
    region and account: a key of another region is no key for this resource)?"""
    if other.module != inst.module or other.config is None or inst.config is None:
        return False
    return other.config.provider_key == inst.config.provider_key


def only_block(model: RuleModel, type_: str, inst: Instance) -> str | None:
    """The local address of the one block of `type_` beside `inst` (its module, its
    provider configuration), when there is exactly one and it is not repeated by
    `count`/`for_each`."""
    blocks = {
        other.config.local_address: other
        for other in model.resources(type_)
        if other.config is not None and _beside(other, inst)
    }
    if len(blocks) != 1:
        return None
    local, block = next(iter(blocks.items()))
    return local if block.index is None else None


def customer_key_arn(
    model: RuleModel, inst: Instance, *path: str | int, type_: str = ""
) -> str | None:
    """The key ARN an edit writes at `path` of a `type_` block beside `inst` (`inst` itself by
    default): what its neighbours write there, else the ARN of the module's one customer
    managed key."""
    written = as_neighbours_write(model, inst, *path, type_=type_)
    if written is not None:
        return written
    key = only_block(model, "aws_kms_key", inst)
    return f"{key}.arn" if key is not None else None


Body = list[tuple[str, "str | Body"]]


def block_text(header: str, body: Body, indent: str = "") -> list[str]:
    """A block as `terraform fmt` writes it: consecutive one-line arguments aligned on `=`,
    nested blocks (a `Body` value) each on lines of their own."""
    lines = [f"{indent}{header} {{"]
    inner = indent + "  "
    group: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(name) for name, _ in group), default=0)
        lines.extend(f"{inner}{name.ljust(width)} = {text}" for name, text in group)
        group.clear()

    for name, value in body:
        if isinstance(value, str):
            group.append((name, value))
            continue
        flush()
        lines.extend(block_text(name, value, inner))
    flush()
    lines.append(f"{indent}}}")
    return lines


def beside(
    model: RuleModel, parent: Instance, type_: str, naming: tuple[str, str], body: Body
) -> str | None:
    """A `resource "type_"` block for `parent`, named like it and repeated like it (`for_each`
    over its instances, or `count` of them): its argument `naming[0]` references the parent's
    attribute `naming[1]`, then `body`. None when the module has a block of that type and
    name already."""
    if parent.config is None:
        return None
    local = parent.config.local_address
    name = local.split(".", 1)[1]
    if free_name(model, parent, type_, name) is None:
        return None
    argument, attribute = naming
    if isinstance(parent.index, str):
        head: Body = [("for_each", local), (argument, f"each.value.{attribute}")]
    elif isinstance(parent.index, int):
        head = [("count", f"length({local})"), (argument, f"{local}[count.index].{attribute}")]
    else:
        head = [(argument, f"{local}.{attribute}")]
    return "\n".join(block_text(f'resource "{type_}" "{name}"', head + body))


def free_name(model: RuleModel, inst: Instance, type_: str, *names: str) -> str | None:
    """The first of `names` no `type_` block in `inst`'s module has."""
    taken = {
        other.config.local_address
        for other in model.resources(type_)
        if other.config is not None and other.module == inst.module
    }
    return next((name for name in names if f"{type_}.{name}" not in taken), None)


def attribute_of_same(text: str | None, attributes: tuple[str, ...], wanted: str) -> str | None:
    """`aws_s3_bucket.b.id` -> `aws_s3_bucket.b.arn`: a reference to one of `attributes` of
    a resource turned into a reference to its `wanted` attribute (None for anything else)."""
    if text is None or "." not in text:
        return None
    head, _, attribute = text.rpartition(".")
    return (
        f"{head}.{wanted}"
        if attribute in attributes and not head.startswith(("var.", "local.", "module."))
        else None
    )


def invoke_permission(name: str, statement: str, function: str, principal: str, source: str) -> str:
    """An `aws_lambda_permission` block letting `principal` invoke `function` (HCL text of a
    reference) from `source` (HCL text), its statement ID `statement-name`."""
    body: Body = [
        ("statement_id", json.dumps(f"{statement}-{name}")),
        ("action", json.dumps("lambda:InvokeFunction")),
        ("function_name", function),
        ("principal", json.dumps(principal)),
        ("source_arn", source),
    ]
    return "\n".join(block_text(f'resource "aws_lambda_permission" "{name}"', body))
