"""Mutations of valid plans for the property test and the long fuzzing run (benchmarks/fuzz.py)."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from checker.config import CheckerConfig
from checker.engines.native import run_native
from checker.errors import CheckerError
from checker.plan.build import build_model
from checker.plan.load import load_plan

JUNK: tuple[Any, ...] = (
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "x" * 100_000,
    [],
    {},
    [None],
    {"a": None},
    "🙂",
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if len(prefix) > 40:
        return out
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:4]):
            out += paths(value, (*prefix, index))
    return out


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    node = document
    for step in path[:-1]:
        node = node[step]
    return node


def mutate(document: dict[str, Any], rng: random.Random, count: int = 3) -> Any:
    """Drop keys, change types, null values, insert huge strings or deep nesting."""
    doc: Any = copy.deepcopy(document)
    for _ in range(count):
        candidates = paths(doc)
        path = rng.choice(candidates)
        operation = rng.choice(("drop", "junk", "deep", "wrap", "swap_type"))
        if not path:
            if operation == "junk":
                doc = rng.choice(JUNK)
            continue
        parent = _parent(doc, path)
        key = path[-1]
        if operation == "drop":
            if isinstance(parent, dict):
                parent.pop(key, None)
            elif isinstance(parent, list) and key < len(parent):
                parent.pop(key)
        elif operation == "junk":
            parent[key] = rng.choice(JUNK)
        elif operation == "deep":
            nested: Any = "bottom"
            for _ in range(rng.choice((10, 100, 5000))):
                nested = {"a": nested} if rng.random() < 0.5 else [nested]
            parent[key] = nested
        elif operation == "wrap":
            parent[key] = [parent[key]]
        else:
            value = parent[key]
            try:
                parent[key] = json.dumps(value) if not isinstance(value, str) else {"v": value}
            except (ValueError, RecursionError):
                parent[key] = "not-a-" + type(value).__name__
    return doc


def serialise(document: Any, rng: random.Random) -> bytes:
    try:
        text = json.dumps(document)
    except (ValueError, RecursionError):
        return b"[" * 10_000
    if rng.random() < 0.05:
        cut = rng.randrange(len(text) + 1)
        text = text[:cut]  # truncated download
    return text.encode("utf-8")


def check_bytes(data: bytes) -> str:
    """'report' or 'refused'; anything else raised is a crash the fuzzer reports."""
    try:
        loaded = load_plan("fuzz.json", data)
    except CheckerError:
        return "refused"
    model = build_model(loaded.document)
    findings = run_native(model, CheckerConfig(), "fuzz.json")
    errors = [f for f in findings if f.error]
    if errors:
        raise AssertionError(f"rule crashed: {errors[0].message}")
    return "report"
