"""The table of built-in functions by name, and the decorators that register them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from checker.source.functions.values import Function, unknown_call, wholly_known

# ---------------------------------------------------------------- the table


FUNCTIONS: dict[str, Function] = {}


def known(name: str) -> Callable[[Function], Function]:
    """Register a function of wholly known arguments; with any unknown the result is unknown."""

    def register(function: Function) -> Function:
        @wraps(function)
        def call(*args: object) -> object:
            if not all(map(wholly_known, args)):
                return unknown_call(name, args)
            return function(*args)

        FUNCTIONS[name] = call
        return call

    return register


def partial(name: str) -> Callable[[Function], Function]:
    """Register a function that handles unknown arguments itself (keeping what is known)."""

    def register(function: Function) -> Function:
        FUNCTIONS[name] = function
        return function

    return register
