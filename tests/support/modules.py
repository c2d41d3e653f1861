"""Move the canonical stack into a child module, once or per for_each key / count index."""

from __future__ import annotations

from tests.support.plan_builder import UNKNOWN, Expr, Output, Stack, Variable


def in_module(stack: Stack, name: str, keys: list[str | int] | None = None) -> Stack:
    """A root module that calls `stack` as module `name` and re-exports its outputs."""
    child = stack.copy()
    inputs = {v.name: Expr.of(v.default, f"var.{v.name}") for v in stack.variables}
    if keys is None:
        outputs = [
            Output(
                o.name,
                Expr.of(
                    o.expr.value if isinstance(o.expr, Expr) else o.expr, f"module.{name}.{o.name}"
                ),
            )
            for o in stack.outputs
        ]
    else:
        outputs = [Output(f"{name}_outputs", Expr.of(UNKNOWN, f"module.{name}"))]
    root = Stack(
        variables=[Variable(v.name, v.default, description=v.description) for v in stack.variables],
        resources=[],
        outputs=outputs,
        provider_region=stack.provider_region,
        modules={name: child},
        module_inputs={name: inputs},
        module_keys={name: keys} if keys else {},
    )
    return root
