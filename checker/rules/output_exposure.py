"""What the stack's outputs expose (for TAP015): the attributes of which resources each root
output reaches, through locals, module outputs and aliases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.core.address import (
    config_address_of,
    join,
    parse_reference,
    reference_target,
    split_address,
    strip_key,
)
from checker.plan.model import Instance
from checker.plan.values import Value
from checker.rules.links import linked
from checker.rules.output_targets import KEY, KMS_ALIAS, WHOLE
from checker.rules.queries import RuleModel

# ------------------------------------------------------------------ what the outputs expose


@dataclass(frozen=True)
class Leaves:
    """References an output reaches in one module instance."""

    module: str  # configuration path: where locals and module outputs are read
    instance: str  # module instance address (keys as written; none: every instance)
    refs: tuple[str, ...]


def _local_refs(model: RuleModel, module: str, ref: str) -> list[str] | None:
    """What `local.NAME` in `module` references, from the bound or static sources (the
    evaluator's `local()` reads the same `locals` blocks); None when no source tells.

    A plan's `references` stop at `local.NAME` (locals are not in a plan), so without
    sources the local stays a leaf. A local written as a constant string keeps its name as
    its leaf: it is a name, not a resource attribute.
    """
    parts = split_address(ref)
    if len(parts) < 2 or model.source is None:
        return None
    raw = model.source.local_references(module, parts[1])
    if raw is None:
        return None
    found = [r for r in raw if r != ref]
    return found or [ref]


def _named_module_outputs(refs: tuple[str, ...]) -> set[str]:
    """`module.a` beside `module.a.arn` in one list (Terraform lists both): the bare call
    stands for the named outputs only, not for every output of the module."""
    return {
        parts[1] for parts in map(split_address, refs) if parts[0] == "module" and len(parts) >= 3
    }


def _leaf_groups(
    model: RuleModel, module: str, instance: str, refs: tuple[str, ...], depth: int = 0
) -> list[Leaves]:
    """The references an output reaches, one group per module instance, through locals
    (when the sources are bound) and child-module outputs."""
    own: list[str] = []
    groups: list[Leaves] = []
    named = _named_module_outputs(refs)
    for ref in refs:
        parts = split_address(ref)
        followed = _local_refs(model, module, ref) if parts[0] == "local" else None
        if followed is not None and followed != [ref] and depth < 8:
            groups += _leaf_groups(model, module, instance, tuple(followed), depth + 1)
        elif parts[0] == "module" and len(parts) >= 2 and depth < 8:
            if len(parts) == 2 and parts[1] in named:
                continue
            child = join(module, f"module.{strip_key(parts[1])[0]}")
            child_instance = join(instance, f"module.{parts[1]}")
            outputs = model.module_outputs.get(child, {})
            names = [parts[2]] if len(parts) >= 3 else list(outputs)
            for name in names:
                inner = outputs.get(name, ())
                groups += _leaf_groups(model, child, child_instance, inner, depth + 1)
        else:
            own.append(ref)
    return [Leaves(module, instance, tuple(own)), *groups] if own else groups


def _exposed(refs: tuple[str, ...]) -> set[tuple[str, str]]:
    """(resource type, attribute) pairs among leaf references; "*" for a whole resource.

    `{ for k, b in aws_s3_bucket.this : k => b.bucket }` references the resource
    itself (Terraform's `references` say `aws_s3_bucket.this`): it may expose any
    attribute of it. Terraform also lists `aws_x.y` beside every `aws_x.y.attr`, so
    the whole resource counts only when no attribute of it is named.
    """
    parsed_refs = [p for p in map(parse_reference, refs) if p is not None]
    with_attribute = {p.local_address for p in parsed_refs if p.attribute}
    out: set[tuple[str, str]] = set()
    for parsed in parsed_refs:
        if not parsed.attribute and parsed.local_address in with_attribute:
            continue
        pieces = parsed.local_address.split(".")
        kind = pieces[1] if pieces[0] == "data" else pieces[0]
        out.add((kind, parsed.attribute[0] if parsed.attribute else WHOLE))
    return out


def _exposed_at(model: RuleModel, leaves: Leaves) -> dict[str, set[str]]:
    """Instance address -> attributes the leaves expose ("*": the whole resource).

    A reference without a key (`aws_s3_bucket.this.arn` of a `for_each` resource, in a `for`
    expression) names every instance; one made in a child module output names the
    instances of that module instance.
    """
    with_attribute = {
        config_address_of(target[0])
        for ref in leaves.refs
        if (target := reference_target(ref)) is not None and target[1]
    }
    out: dict[str, set[str]] = {}
    near = leaves.instance if "[" in leaves.instance or not leaves.instance else None
    for ref in leaves.refs:
        target = reference_target(ref)
        if target is None or (not target[1] and config_address_of(target[0]) in with_attribute):
            continue
        attribute = target[1][0] if target[1] else WHOLE
        for inst in model.designated_by(join(leaves.instance, target[0]), near=near):
            out.setdefault(inst.address, set()).add(attribute)
    return out


@dataclass
class Exposure:
    """What the outputs expose: by instance address, by (type, attribute) for the kinds no
    link identifies, the environment name, and the root locals no source follows."""

    by_address: dict[str, set[str]] = field(default_factory=dict)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    names_only: bool = False
    # root locals no source follows, in outputs whose planned value is hidden (they may hold
    # anything) or wholly known (they hold only `texts`: the strings, and their prefixes up
    # to a "/", of those values: what an output through them shows, compared by value)
    hidden: set[str] = field(default_factory=set)
    known_locals: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)

    def shows(self, inst: Instance, attributes: tuple[str, ...]) -> bool:
        have = self.by_address.get(inst.address, set())
        return any(a in have for a in (*attributes, WHOLE))

    def shows_value(self, inst: Instance, attributes: tuple[str, ...]) -> bool:
        """Does an output through an unfollowed local hold this known attribute's value?"""
        values = (inst.get(a) for a in attributes)
        return any(isinstance(v, str) and v in self.texts for v in values)

    def local_value(self, value: Value, locals_: set[str]) -> None:
        """Record an output through unfollowed locals: hidden, or by its known strings."""
        texts: list[str] = []
        if _known_texts(value, texts):
            self.known_locals |= locals_
            for text in texts:
                self.texts.add(text)
                self.texts.update(text[:i] for i, c in enumerate(text) if c == "/" and i > 0)
        else:
            self.hidden |= locals_


def _known_texts(value: Value, out: list[str]) -> bool:
    """Collect the string of a wholly known value. Only a string or a number counts: the
    model keeps an output's known members without the unknown ones (`after_unknown`), so a
    known-looking object or list may hide a member."""
    if isinstance(value, str):
        out.append(value)
        return True
    return isinstance(value, int | float | bool)


def exposure_of(model: RuleModel) -> Exposure:
    exposure = Exposure()
    for output in model.outputs.values():
        for leaves in _leaf_groups(model, "", "", output.references):
            exposure.pairs |= _exposed(leaves.refs)
            for address, attributes in _exposed_at(model, leaves).items():
                exposure.by_address.setdefault(address, set()).update(attributes)
            # a variable in the value (`stack = var.name` in an object output), or a local
            # that is a constant name (locals that reference something were followed)
            locals_ = [r for r in leaves.refs if r.startswith("local.")]
            unfollowed = {r for r in locals_ if _local_refs(model, "", r) is None}
            if unfollowed:
                exposure.local_value(output.value, unfollowed)
            if any(r.startswith("var.") for r in leaves.refs) or set(locals_) - unfollowed:
                exposure.names_only = True
        if not output.references and isinstance(output.value, str):
            exposure.names_only = True
    _through_aliases(model, exposure)
    return exposure


def _through_aliases(model: RuleModel, exposure: Exposure) -> None:
    """An alias's `target_key_arn` is its key's ARN (aws_kms_alias attributes): an output of
    it exposes the key's ARN. Its `arn` is the alias's own ARN, which CI cannot use as one."""
    for address, attributes in list(exposure.by_address.items()):
        alias = model.instance(address)
        if alias is None or alias.type != KMS_ALIAS or "target_key_arn" not in attributes:
            continue
        for key in linked(model, alias, ("target_key_id",), (KEY,)):
            exposure.by_address.setdefault(key.address, set()).add("arn")
            exposure.pairs.add((KEY, "arn"))
