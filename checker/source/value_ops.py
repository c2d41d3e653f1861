"""The operations the evaluator applies to values: member access, walking a traversal,
iteration, merging the two sides of a conditional, and the limits of one evaluation."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import cast

from checker.core.address import strip_key
from checker.plan.values import Unknown, Value
from checker.source.functions import (
    EvalError,
    TfSet,
    extend_reference,
    unknown_from,
    wholly_known,
)
from checker.source.functions import index as index_value

Scope = dict[str, Value]
InstanceKey = int | str | None  # of a `count` (int) or `for_each` (str) instance; None: neither


def as_value(result: object) -> Value:
    """A result of `checker.source.functions` as the evaluator's value. The functions are
    written over `object` (they take any Terraform value); what they return is one."""
    return cast(Value, result)


META_ARGUMENTS = frozenset(
    {"depends_on", "count", "for_each", "lifecycle", "provider", "provisioner"}
)


class ResourceObject(dict[str, Value]):
    """The attributes of one resource instance as a map; a missing one is computed by the provider."""

    def __init__(self, address: str, values: dict[str, Value]) -> None:
        super().__init__(values)
        self.address = address


def member_of(base: Value, key: Value) -> Value:
    """`base[key]` the way HCL indexes: maps by string, lists by number (`EvalError` where
    Terraform refuses it). An attribute a resource's configuration does not set is
    computed by the provider: unknown, named. A one-block list is also read by the
    block's attribute names (`versioning.enabled`), a convenience for nested blocks."""
    if isinstance(base, ResourceObject) and isinstance(key, str) and key not in base:
        return Unknown.of_reference(f"{base.address}.{key}")
    if (
        isinstance(base, list)
        and isinstance(key, str)
        and not key.isdigit()
        and len(base) == 1
        and isinstance(base[0], dict)
    ):
        return member_of(base[0], key)
    return as_value(index_value(base, key))


def walk_traversal(value: Value, steps: list[str], reference: str) -> Value:
    """Follow attribute steps into a value: an unknown part is unknown, named; a step
    Terraform refuses (a missing attribute or key, an index out of range) is an
    `EvalError`."""
    for step in steps:
        name, key = strip_key(step)
        for part in (name, key) if key is not None else (name,):
            if isinstance(value, Unknown):
                return value if value.refs else Unknown.of_reference(reference)
            value = member_of(value, part)
    return value


def to_string(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


SPLAT_ITEM = "\x00splat"  # the scope key of the element a splat's steps apply to


def index_of(base: Value, key: Value) -> Value:
    """`base[key]`: unknown when either is (a reference extended to the element it names,
    `aws_x.y` [0] -> `aws_x.y[0]`), else as HCL indexes (`EvalError` where it refuses)."""
    if isinstance(base, Unknown) or not wholly_known(key):
        if isinstance(base, Unknown) and base.reference is not None and wholly_known(key):
            return Unknown.of_reference(extend_reference(base.reference, key))
        return unknown_from(base, key)
    return member_of(base, key)


def iteration_pairs(collection: Value) -> list[tuple[Value, Value]] | None:
    """(key, value) pairs a `for` expression or a `dynamic` block iterates: a map by key in
    key order, a set by element (each its own key), a list by index; None when unknown."""
    if isinstance(collection, dict):
        return [(k, collection[k]) for k in sorted(collection)]
    if isinstance(collection, TfSet):
        return [(as_value(v), as_value(v)) for v in collection]
    if isinstance(collection, list):
        return list(enumerate(collection))
    if collection is None:
        raise EvalError("cannot iterate over a null value")
    if wholly_known(collection):
        raise EvalError("a for expression needs a list, set, tuple, map or object")
    return None


def either(yes: Value, no: Value) -> Value:
    """What a conditional with an unknown condition is known to be: a value both results
    share; lists of one length and maps of the same keys element by element; else an
    unknown value naming both results' references."""
    if wholly_known(yes) and wholly_known(no) and yes == no and type(yes) is type(no):
        return yes
    if isinstance(yes, list) and isinstance(no, list) and len(yes) == len(no):
        return [either(a, b) for a, b in zip(yes, no, strict=True)]
    if isinstance(yes, dict) and isinstance(no, dict) and yes.keys() == no.keys():
        return {key: either(yes[key], no[key]) for key in yes}
    return unknown_from(yes, no)


MAX_STEPS = 500_000  # expression nodes evaluated per model
MAX_VALUE = 1024 * 1024  # characters of a string, or items of a list or map
MAX_PARTS = 10_000  # known and unknown pieces of one template


FILE_FUNCTIONS = frozenset(
    {"file", "templatefile", "fileexists", "filebase64", "filemd5", "filesha1", "filesha256"}
)
FILE_HASHES: dict[str, Callable[[bytes], str]] = {
    "filebase64": lambda data: base64.b64encode(data).decode(),
    "filemd5": lambda data: hashlib.md5(data).hexdigest(),
    "filesha1": lambda data: hashlib.sha1(data).hexdigest(),
    "filesha256": lambda data: hashlib.sha256(data).hexdigest(),
}


def replace_argument(value: Value) -> str:
    """A `replace()` argument as the string Terraform converts it to."""
    if isinstance(value, float) and not value.is_integer():
        raise TypeError("a fractional number is not converted here")
    if not isinstance(value, str | int | float):
        raise TypeError("replace() takes strings")
    return to_string(value)


# ------------------------------------------------------------- expressions


MAX_INSTANCES = 10_000  # of one block; a larger count or for_each is not expanded


def is_block_list(raw: Value) -> bool:
    return isinstance(raw, list) and bool(raw) and all(isinstance(item, dict) for item in raw)
