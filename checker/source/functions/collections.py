"""Terraform's collection functions (`length`, `lookup`, `merge`, `flatten`, `zipmap`, ...)."""

from __future__ import annotations

from checker.plan.values import Unknown
from checker.source.functions.encoding import json_encode
from checker.source.functions.table import known, partial
from checker.source.functions.values import (
    EvalError,
    as_int,
    as_list,
    as_map,
    as_string,
    equal,
    unified,
    unknown_call,
    wholly_known,
)

# -- collections


@partial("length")
def _length(value: object) -> object:
    if isinstance(value, Unknown):
        return unknown_call("length", (value,))
    if isinstance(value, str | list | dict):
        return len(value)  # a collection's size is known when some of its values are not
    if value is None:
        raise EvalError("argument must not be null")
    raise EvalError("argument must be a string, a collection or a structural type")


@partial("keys")
def _keys(value: object) -> object:
    if isinstance(value, Unknown):
        return unknown_call("keys", (value,))
    return sorted(_mapping(value))


@partial("values")
def _values(value: object) -> object:
    if isinstance(value, Unknown):
        return unknown_call("values", (value,))
    mapping = _mapping(value)
    return [mapping[key] for key in sorted(mapping)]


def _mapping(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise EvalError("must have map or object type")
    return value


@partial("lookup")
def _lookup(mapping: object, key: object, *default: object) -> object:
    if len(default) > 1:
        raise EvalError("lookup() takes two or three arguments")
    if isinstance(mapping, Unknown) or not wholly_known(key):
        return unknown_call("lookup", (mapping, key))
    name, table = as_string(key), as_map(mapping)
    if name in table:
        return table[name]
    if default:
        return default[0]
    raise EvalError(f"the given object has no attribute {name!r}")


@partial("element")
def _element(values: object, position: object) -> object:
    if isinstance(values, Unknown) or not wholly_known(position):
        return unknown_call("element", (values, position))
    items = as_list(values)
    if not items:
        raise EvalError("cannot use element function with an empty list")
    number = as_int(position)
    if number < 0:
        raise EvalError("a negative index is not valid")
    return items[number % len(items)]  # Terraform wraps around


@partial("index")
def _index(values: object, wanted: object) -> object:
    if isinstance(values, Unknown) or not wholly_known(wanted):
        return unknown_call("index", (values, wanted))
    for position, item in enumerate(as_list(values)):
        if not wholly_known(item):
            return unknown_call("index", (values, wanted))
        if equal(item, wanted):
            return position
    raise EvalError("item not found")


@partial("contains")
def _contains(values: object, wanted: object) -> object:
    if isinstance(values, Unknown) or not wholly_known(wanted):
        return unknown_call("contains", (values, wanted))
    items = as_list(values)
    if any(wholly_known(item) and equal(item, wanted) for item in items):
        return True
    if not all(map(wholly_known, items)):
        return unknown_call("contains", (values, wanted))
    return False


@partial("one")
def _one(values: object) -> object:
    if isinstance(values, Unknown):
        return unknown_call("one", (values,))
    items = as_list(values)
    if len(items) > 1:
        raise EvalError("must be a list, set or tuple with zero or one elements")
    return items[0] if items else None


@partial("coalesce")
def _coalesce(*values: object) -> object:
    """The first argument neither null nor "": an unknown one before it makes the result
    that unknown value (its reference kept: the value it will be unless it is empty)."""
    if not values:
        raise EvalError("all arguments must have the same type")
    converted = unified(list(values))
    for value in converted:
        if not wholly_known(value):
            return value
        if value is None or value == "":
            continue
        return value
    raise EvalError("no non-null, non-empty-string arguments")


@partial("coalescelist")
def _coalescelist(*values: object) -> object:
    if not values:
        raise EvalError("at least one argument is required")
    for value in values:
        if isinstance(value, Unknown):
            return value
        if value is None:
            continue
        if as_list(value):
            return value
    raise EvalError("no non-null arguments")


@partial("compact")
def _compact(values: object) -> object:
    """Without null and "" elements. An unknown element is kept in place (Terraform makes the
    whole list unknown; it drops out only if it turns out empty, as a policy document's
    JSON never does), so a `source_policy_documents = compact([...])` keeps its parts."""
    if isinstance(values, Unknown):
        return unknown_call("compact", (values,))
    out: list[object] = []
    for item in as_list(values):
        if item is None or item == "":
            continue
        out.append(item if isinstance(item, Unknown) else as_string(item))
    return out


@partial("concat")
def _concat(*lists: object) -> object:
    if not lists:
        raise EvalError("at least one argument is required")
    out: list[object] = []
    for value in lists:
        if isinstance(value, Unknown):
            return unknown_call("concat", lists)
        if not isinstance(value, list):
            if value is None:
                raise EvalError("argument must not be null")
            raise EvalError("all arguments must be lists or tuples")
        out.extend(value)
    return out


@partial("flatten")
def _flatten(values: object) -> object:
    """Nested lists made one; an unknown element is kept as one element."""
    if isinstance(values, Unknown):
        return unknown_call("flatten", (values,))
    if not isinstance(values, list):
        raise EvalError("can only flatten lists, sets and tuples")
    out: list[object] = []
    for item in values:
        if isinstance(item, list):
            flat = _flatten(item)
            if not isinstance(flat, list):
                return flat
            out.extend(flat)
        else:
            out.append(item)
    return out


@partial("merge")
def _merge(*maps: object) -> object:
    out: dict[str, object] = {}
    for value in maps:
        if isinstance(value, Unknown):
            return unknown_call("merge", maps)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise EvalError("arguments must be maps or objects")
        out.update(value)
    return out


@known("distinct")
def _distinct(values: object) -> object:
    seen: dict[str, object] = {}
    for item in unified(as_list(values)):
        seen.setdefault(json_encode(item), item)
    return list(seen.values())


@known("reverse")
def _reverse(values: object) -> object:
    return list(reversed(as_list(values)))


@known("sort")
def _sort(values: object) -> object:
    return sorted(as_string(v) for v in as_list(values))


@known("slice")
def _slice(values: object, start: object, end: object) -> object:
    items, first, last = as_list(values), as_int(start), as_int(end)
    if first < 0 or last > len(items) or first > last or first > len(items):
        raise EvalError("slice indexes out of range")
    return items[first:last]


@known("chunklist")
def _chunklist(values: object, size: object) -> object:
    items, step = as_list(values), as_int(size)
    if step < 0:
        raise EvalError("the size argument must be positive")
    if step == 0:
        return [items]
    return [items[i : i + step] for i in range(0, len(items), step)]


@known("zipmap")
def _zipmap(keys: object, values: object) -> object:
    names, items = as_list(keys), as_list(values)
    if len(names) != len(items):
        raise EvalError("the number of keys does not match the number of values")
    return {as_string(k): v for k, v in zip(names, items, strict=True)}
