"""The layouts users put many copies of one stack in, for the benchmark and the growth test.

- `for_each_modules`: one module block with a `for_each` of N keys;
- `module_blocks`: N separate `module` blocks calling the same source (a monorepo root);
- `flat_root`: N renamed copies of every resource in the root module.

Each copy is the whole canonical stack, references and policy documents
included, so joins scale with the size. Plans are rendered by the test plan
builder: benchmarks need sizes real Terraform cannot plan here in reasonable time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.support.canonical_stack import canonical_stack
from tests.support.modules import in_module
from tests.support.plan_builder import Block, Expr, Output, Resource, Stack

PER_COPY = sum(1 for r in canonical_stack().resources if r.mode == "managed")


def for_each_modules(copies: int) -> Stack:
    return in_module(canonical_stack(), "tap", [f"team-{i:05d}" for i in range(copies)])


def module_blocks(copies: int) -> Stack:
    base = in_module(canonical_stack(), "tap_00000")
    child, inputs = base.modules["tap_00000"], base.module_inputs["tap_00000"]
    names = [f"tap_{i:05d}" for i in range(copies)]
    return Stack(
        variables=base.variables,
        resources=[],
        outputs=[],
        provider_region=base.provider_region,
        modules={name: child.copy() for name in names},
        module_inputs={name: dict(inputs) for name in names},
    )


def flat_root(copies: int) -> Stack:
    stack = canonical_stack()
    addresses = sorted((r.address for r in stack.resources), key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w.-])(" + "|".join(re.escape(a) for a in addresses) + r")(?![\w-])"
    )
    resources: list[Resource] = []
    outputs: list[Output] = []
    for i in range(copies):

        def rename(text: str, i: int = i) -> str:
            return pattern.sub(lambda m: f"{m.group(1)}_{i:05d}", text)

        for res in stack.copy().resources:
            resources.append(
                Resource(
                    address=rename(res.address),
                    attrs={k: _renamed(v, rename) for k, v in res.attrs.items()},
                    depends_on=[rename(d) for d in res.depends_on],
                    provider=res.provider,
                    read_values=res.read_values,
                    stored=res.stored,
                    count=res.count,
                    sensitive_attrs=res.sensitive_attrs,
                )
            )
        outputs += [
            Output(f"{o.name}_{i:05d}", _renamed(o.expr, rename), o.sensitive)
            for o in stack.outputs
        ]
    return Stack(
        variables=stack.variables,
        resources=resources,
        outputs=outputs,
        provider_region=stack.provider_region,
        locals_refs=stack.locals_refs,
    )


def _renamed(value: Any, rename: Callable[[str], str]) -> Any:
    if isinstance(value, Expr):
        return Expr(_renamed(value.value, rename), tuple(rename(r) for r in value.refs))
    if isinstance(value, Block):
        return Block([_renamed(item, rename) for item in value.items])
    if isinstance(value, dict):
        return {k: _renamed(v, rename) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, rename) for v in value]
    if isinstance(value, str):
        return rename(value)
    return value


LAYOUTS: dict[str, Callable[[int], Stack]] = {
    "for_each modules": for_each_modules,
    "module blocks": module_blocks,
    "flat root": flat_root,
}
