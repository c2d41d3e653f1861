"""Compare tap_stack.tf with the description the plan fixture is rendered from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checker.source.expr import Ref, is_literal, parse_raw
from checker.source.hcl import load_module
from tests.support.plan_builder import Block, Expr, Stack

META_KEYS = {"depends_on", "lifecycle", "count", "for_each", "provider"}


def _spec_literal(value: Any) -> tuple[bool, Any]:
    """(is a literal, value) for one attribute of the description."""
    if isinstance(value, Expr):
        return (
            not value.refs
            and value.value is not None
            and is_literal(value.value)
            and not isinstance(value.value, str | dict)
        ), value.value
    if isinstance(value, Block):
        return False, None
    return True, value


def _compare_attrs(where: str, hcl: dict[str, Any], spec: dict[str, Any], out: list[str]) -> None:
    for key, raw in hcl.items():
        if key in META_KEYS:
            continue
        value = parse_raw(raw)
        spec_value = spec.get(key)
        if isinstance(spec_value, Block):
            if not isinstance(value, list) or len(value) != len(spec_value.items):
                out.append(
                    f"{where}.{key}: {len(value) if isinstance(value, list) else '?'} blocks in HCL, "
                    f"{len(spec_value.items)} in the fixture"
                )
                continue
            for index, (h, s) in enumerate(zip(raw, spec_value.items, strict=True)):
                _compare_attrs(f"{where}.{key}[{index}]", h, s, out)
            continue
        if not is_literal(value):
            if key not in spec:
                out.append(f"{where}.{key}: set in HCL, missing in the fixture")
            continue
        literal, spec_plain = _spec_literal(spec_value)
        if key not in spec or not literal or spec_plain != value:
            out.append(f"{where}.{key}: HCL has {value!r}, the fixture has {spec_value!r}")
    for key, spec_value in spec.items():
        if (
            key in hcl
            or spec_value is None
            or (isinstance(spec_value, Expr) and spec_value.value is None)
        ):
            continue
        if isinstance(spec_value, Block) and not spec_value.items:
            continue
        from tests.support.plan_builder import UNKNOWN

        if spec_value is UNKNOWN:
            continue
        out.append(f"{where}.{key}: in the fixture, not set in HCL")


def drift(directory: Path, stack: Stack) -> list[str]:
    """Every difference between the .tf files of `directory` and the description."""
    module = load_module(directory)
    out: list[str] = []
    spec = {res.address: res for res in stack.resources}
    hcl_addresses, spec_addresses = set(module.blocks), set(spec)
    out += [f"{a}: in HCL, not in the fixture" for a in sorted(hcl_addresses - spec_addresses)]
    out += [f"{a}: in the fixture, not in HCL" for a in sorted(spec_addresses - hcl_addresses)]
    for address in sorted(hcl_addresses & spec_addresses):
        block = module.blocks[address]
        res = spec[address]
        depends = [parse_raw(d) for d in block.body.get("depends_on", [])]
        names = sorted(d.traversal if isinstance(d, Ref) else str(d) for d in depends)
        if names != sorted(res.depends_on):
            out.append(
                f"{address}.depends_on: HCL has {names}, the fixture has {sorted(res.depends_on)}"
            )
        _compare_attrs(address, block.body, res.attrs, out)
    hcl_outputs, spec_outputs = set(module.outputs), {o.name for o in stack.outputs}
    out += [
        f"output.{n}: differs between HCL and fixture" for n in sorted(hcl_outputs ^ spec_outputs)
    ]
    hcl_vars = {name: parse_raw(body.get("default")) for name, body in module.variables.items()}
    spec_vars = {v.name: v.default for v in stack.variables}
    if hcl_vars != spec_vars:
        out.append(f"variables: HCL has {hcl_vars}, the fixture has {spec_vars}")
    return out
