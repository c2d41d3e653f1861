"""The custom checkov checks as data: which catalogue rule each asserts, on which resource
types. Read from the checks themselves (each check's `id`, the `TAPnnn:` of its `name`,
its `supported_resources`), never written twice; used by the checkov engine and by
coverage (`checker.engines.coverage`)."""

from __future__ import annotations

import ast
from functools import cache

from checker.engines.external import policies_root
from checker.errors import EngineError

# check ID -> (catalogue ID, resource types it judges)
CheckTable = dict[str, tuple[str, tuple[str, ...]]]


@cache
def checks() -> CheckTable:
    """Every check of the packaged checkov policies (or `CHECKER_POLICIES`' copy)."""
    table: CheckTable = {}
    for path in sorted((policies_root() / "checkov").glob("tap[0-9][0-9][0-9]_*.py")):
        declared = _declared(path.read_text(encoding="utf-8"))
        if declared is None:
            raise EngineError(f"{path}: no check with a literal id, name and supported_resources")
        check_id, rule_id, types = declared
        table[check_id] = (rule_id, types)
    return table


def _declared(text: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(id, rule ID, resource types) of the `super().__init__(...)` call of one check."""
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if not {"id", "name", "supported_resources"} <= set(keywords):
            continue
        try:
            check_id = ast.literal_eval(keywords["id"])
            name = ast.literal_eval(keywords["name"])
            types = ast.literal_eval(keywords["supported_resources"])
        except ValueError:
            return None
        if isinstance(check_id, str) and isinstance(name, str) and isinstance(types, list):
            return check_id, name.split(":")[0], tuple(str(t) for t in types)
    return None
