"""The graph queries of the model: what a reference designates, across module calls and
outputs, what refers to what, and the order Terraform applies in. A base of
`PlanModel` (`checker.plan.model`), over the indexes it builds."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from checker.core.address import (
    Reference,
    config_address_of,
    designates,
    join,
    module_path,
    parse_reference,
    split_address,
    strip_key,
)
from checker.plan.evidence import CONFIGURATION, saw
from checker.plan.instances import Instance, ResourceConfiguration, nested_refs


class GraphQueries:
    """Queries over references and dependencies (see the module docstring)."""

    # the model's data and indexes these queries read (`PlanModel`'s fields)
    configs: dict[str, ResourceConfiguration]
    module_outputs: dict[str, dict[str, tuple[str, ...]]]
    module_inputs: dict[str, dict[str, tuple[str, ...]]]
    _by_address: dict[str, Instance]
    _by_config: dict[str, list[Instance]]
    _by_config_module: dict[tuple[str, str], list[Instance]]
    _edges: dict[str, frozenset[str]]

    def instance(self, address: str) -> Instance | None:
        return self._by_address.get(address)

    def config_instances(self, config_address: str) -> list[Instance]:
        return self._by_config.get(config_address, [])

    def in_module_instance(self, config_address: str, module_address: str) -> list[Instance]:
        """Instances of a configuration block within one module instance (indexed)."""
        return self._by_config_module.get((config_address, module_address), [])

    def designated_by(self, target: str, near: str | None = None) -> list[Instance]:
        """Instances a target address (keys optional) designates, by index.

        A keyless target inside a `for_each` module designates every instance of the
        block; with `near` (a module instance address) the ones in that module
        instance come first, so a reference made there is one lookup, not a scan.
        """
        exact = self._by_address.get(target)
        if exact is not None:
            return [exact]
        config = config_address_of(target)
        if near is not None:
            local = [
                i for i in self.in_module_instance(config, near) if designates(target, i.address)
            ]
            if local:
                return local
        return [i for i in self.config_instances(config) if designates(target, i.address)]

    def resolve(self, origin: Instance | str, ref: str) -> list[Instance]:
        """Instances a reference made in `origin`'s module points at.

        `each.value...` in an instance of `for_each = aws_x.y` (a for_each chain)
        is that resource's instance with the same key.
        """
        if isinstance(origin, Instance) and ref.startswith("each.value"):
            ref = self._each_value(origin, ref) or ref
        parsed = parse_reference(ref)
        if parsed is None:
            return []
        module = origin if isinstance(origin, str) else origin.module
        target = join(module, parsed.local_address)
        candidates: list[Instance] = []
        if isinstance(origin, Instance):
            candidates = self._by_config_module.get((target, origin.module_address), [])
        if not candidates:
            candidates = self._by_config.get(target, [])
        if not candidates:
            return []
        if parsed.key is not None:
            return [c for c in candidates if str(c.index) == parsed.key]
        if len(candidates) > 1 and isinstance(origin, Instance) and origin.index is not None:
            same_index = [c for c in candidates if c.index == origin.index]
            if same_index:
                return same_index
        return [c for c in candidates if c.exists]

    def _each_value(self, origin: Instance, ref: str) -> str | None:
        if origin.config is None or origin.index is None:
            return None
        sources = [
            r
            for r in origin.config.for_each_refs
            if (p := parse_reference(r)) is not None and not p.attribute and p.key is None
        ]
        if len(sources) != 1:
            return None
        key = origin.index if isinstance(origin.index, int) else f'"{origin.index}"'
        return f"{sources[0]}[{key}]{ref[len('each.value') :]}"

    def referenced(
        self, inst: Instance, *path: str | int, types: Iterable[str] | None = None
    ) -> list[tuple[Instance, tuple[str, ...]]]:
        """(instance, attribute path) pairs the expression at `path` references.

        Terraform lists `aws_x.y["k"].id`, `aws_x.y["k"]` and `aws_x.y` for one
        keyed reference; the key-less form then names the same instance, not all.
        """
        wanted = set(types) if types is not None else None
        found: dict[tuple[str, tuple[str, ...]], tuple[Instance, tuple[str, ...]]] = {}
        parsed_refs: list[tuple[str, Reference]] = []
        for ref in inst.references(*path):
            if ref.startswith("each.value"):
                ref = self._each_value(inst, ref) or ref
            parsed = parse_reference(ref)
            if parsed is not None:
                parsed_refs.append((ref, parsed))
        for ref in inst.references(*path):
            for target, attribute in self.across_modules(inst.module_address, ref):
                if wanted is None or target.type in wanted:
                    found.setdefault((target.address, attribute), (target, attribute))
        keyed = {p.local_address for _, p in parsed_refs if p.key is not None}
        for ref, parsed in parsed_refs:
            if parsed.key is None and not parsed.attribute and parsed.local_address in keyed:
                continue
            for target in self.resolve(inst, ref):
                if wanted is None or target.type in wanted:
                    found.setdefault((target.address, parsed.attribute), (target, parsed.attribute))
        return list(found.values())

    def across_modules(
        self, module_address: str, ref: str, depth: int = 0
    ) -> list[tuple[Instance, tuple[str, ...]]]:
        """Resources a reference made in a module instance names across module boundaries:
        a child's output (`module.k.arn`) followed down, an input (`var.key_arn`) followed
        up to what the calling module passes; [] for references within the module."""
        if ref.startswith("module."):
            return self.through_module_output(module_address, ref, depth)
        if not ref.startswith("var.") or not module_address or depth > 8:
            return []
        parts = split_address(module_address)
        parent = ".".join(parts[:-2])
        name = split_address(ref)[1] if len(split_address(ref)) > 1 else ""
        passed = self.module_inputs.get(module_path(module_address), {}).get(name, ())
        out: list[tuple[Instance, tuple[str, ...]]] = []
        for outer in passed:
            if outer.startswith(("module.", "var.")):
                out.extend(self.across_modules(parent, outer, depth + 1))
                continue
            parsed = parse_reference(outer)
            if parsed is None:
                continue
            for target in self._by_config_module.get(
                (join(module_path(parent), parsed.local_address), parent), []
            ):
                if (parsed.key is None or str(target.index) == parsed.key) and target.exists:
                    out.append((target, parsed.attribute))
        named = {t.address for t, attribute in out if attribute}
        return [(t, attribute) for t, attribute in out if attribute or t.address not in named]

    def output_targets(self, ref: str) -> list[tuple[Instance, tuple[str, ...]]]:
        """A module-qualified reference to a module's output (`module.a.module.k.arn`),
        followed to the resources behind it; [] for any other reference."""
        parts = split_address(ref)
        i = 0
        while i + 2 < len(parts) and parts[i] == "module" and parts[i + 2] == "module":
            i += 2
        if len(parts) - i < 3 or parts[i] != "module":
            return []
        return self.through_module_output(".".join(parts[:i]), ".".join(parts[i:]))

    def through_module_output(
        self, module_address: str, ref: str, depth: int = 0
    ) -> list[tuple[Instance, tuple[str, ...]]]:
        """What `module.NAME[KEY].OUTPUT...` made in `module_address` designates: the plan's
        references stop at a module output; the configuration's output expression names
        the resources behind it, in that module instance."""
        parts = split_address(ref)
        if depth > 8 or len(parts) < 3 or parts[0] != "module":
            return []
        name = strip_key(parts[1])[0]
        child_config = join(module_path(module_address), f"module.{name}")
        # a module with count/for_each is only referenced with its key: this is the instance
        child_instance = join(module_address, f"module.{parts[1]}")
        out: list[tuple[Instance, tuple[str, ...]]] = []
        for inner in self.module_outputs.get(child_config, {}).get(parts[2], ()):
            if inner.startswith(("module.", "var.")):
                out.extend(self.across_modules(child_instance, inner, depth + 1))
                continue
            parsed = parse_reference(inner)
            if parsed is None:
                continue
            for target in self._by_config_module.get(
                (join(child_config, parsed.local_address), child_instance), []
            ):
                if parsed.key is not None and str(target.index) != parsed.key:
                    continue
                if target.exists:
                    out.append((target, parsed.attribute))
        # Terraform lists `aws_x.y.arn` and `aws_x.y` for one reference: keep the attribute
        named = {t.address for t, attribute in out if attribute}
        return [(t, attribute) for t, attribute in out if attribute or t.address not in named]

    # --------------------------------------------------------------- graph

    def depends_on_explicitly(self, inst: Instance, target: Instance) -> bool:
        """True when `inst`'s own depends_on names `target` (or its module call does)."""
        saw(CONFIGURATION)
        if inst.config is None:
            return False
        names = set(inst.config.depends_on) | set(inst.config.module_depends_on)
        return target.config_address in names

    def ordered_after(self, inst: Instance, target: Instance) -> bool:
        """True when the graph (depends_on plus references) orders inst after target."""
        saw(CONFIGURATION)
        edges = self._edges
        start, goal = inst.config_address, target.config_address
        seen = {start}
        queue = deque([start])
        while queue:
            current = queue.popleft()
            for nxt in edges.get(current, ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return False


# ---------------------------------------------------------------- building


def config_edges(configs: dict[str, ResourceConfiguration]) -> dict[str, frozenset[str]]:
    """Configuration address -> what it is ordered after: `depends_on` (its own and its
    module call's) and every resource its expressions reference."""
    edges: dict[str, frozenset[str]] = {}
    for address, conf in configs.items():
        targets = set(conf.depends_on) | set(conf.module_depends_on)
        for ref in nested_refs(conf.expressions):
            parsed = parse_reference(ref)
            if parsed is not None:
                targets.add(join(conf.module, parsed.local_address))
        edges[address] = frozenset(targets)
    return edges
