"""Declarative edits of the stack description, applied to a copy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.canonical_stack import refresh_derived
from tests.support.plan_builder import Block, Output, Resource, Stack

Op = Callable[[Stack], None]


def _container(stack: Stack, address: str, path: tuple[str | int, ...]) -> tuple[Any, str | int]:
    node: Any = stack.resource(address).attrs
    for step in path[:-1]:
        node = node[step]
        if isinstance(node, Block):
            node = node.items
    return node, path[-1]


def set_(address: str, *path: str | int, value: Any) -> Op:
    def op(stack: Stack) -> None:
        node, last = _container(stack, address, path)
        node[last] = value

    return op


def delete(address: str, *path: str | int) -> Op:
    def op(stack: Stack) -> None:
        node, last = _container(stack, address, path)
        if isinstance(node, list):
            assert isinstance(last, int)
            node.pop(last)
        else:
            del node[last]

    return op


def drop(address: str) -> Op:
    def op(stack: Stack) -> None:
        stack.resources.remove(stack.resource(address))

    return op


def add(resource: Resource) -> Op:
    def op(stack: Stack) -> None:
        stack.resources.append(resource)

    return op


def depends(address: str, targets: list[str]) -> Op:
    def op(stack: Stack) -> None:
        stack.resource(address).depends_on = list(targets)

    return op


def stored(address: str, **values: Any) -> Op:
    def op(stack: Stack) -> None:
        stack.resource(address).stored.update(values)

    return op


def read_values(address: str, **values: Any) -> Op:
    def op(stack: Stack) -> None:
        res = stack.resource(address)
        assert res.read_values is not None
        res.read_values.update(values)

    return op


def deferred(address: str) -> Op:
    def op(stack: Stack) -> None:
        stack.resource(address).read_values = None

    return op


def count(address: str, n: int) -> Op:
    def op(stack: Stack) -> None:
        stack.resource(address).count = n

    return op


def drop_output(name: str) -> Op:
    def op(stack: Stack) -> None:
        stack.outputs = [o for o in stack.outputs if o.name != name]

    return op


def set_output(name: str, expr: Any) -> Op:
    def op(stack: Stack) -> None:
        stack.outputs = [o if o.name != name else Output(name, expr) for o in stack.outputs]

    return op


def add_variable(variable: Any) -> Op:
    def op(stack: Stack) -> None:
        stack.variables.append(variable)

    return op


@dataclass(frozen=True)
class Mutation:
    """One way of re-introducing an incident, in the plan and in its HCL twin."""

    id: str
    rule: str
    description: str
    hcl: tuple[tuple[str, str], ...]
    plan: tuple[Op, ...]
    fails: dict[str, frozenset[str]]
    handler: tuple[tuple[str, str], ...] = field(default=())

    def stack(self, base: Stack) -> Stack:
        stack = base.copy()
        for op in self.plan:
            op(stack)
        return refresh_derived(stack)

    def source(self, text: str) -> str:
        for old, new in self.hcl:
            assert old in text, f"{self.id}: {old!r} not in tap_stack.tf"
            text = text.replace(old, new, 1)
        return text

    def handler_source(self, text: str) -> str:
        for old, new in self.handler:
            assert old in text, f"{self.id}: {old!r} not in lambda/index.py"
            text = text.replace(old, new, 1)
        return text


def fails(**rules: list[str]) -> dict[str, frozenset[str]]:
    return {rule: frozenset(addresses) for rule, addresses in rules.items()}
