"""The nested block names of the shipped provider schemas (`block_schema.json.gz`), which say
whether a JSON object in a block body is a nested block or an argument.
"""

from __future__ import annotations

import gzip
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeAlias

SCHEMA_FILE = Path(__file__).with_name("block_schema.json.gz")
# ----------------------------------------------------------------------- the block schema

Tree: TypeAlias = dict[str, "Tree"]  # nested block name -> its own nested blocks


def _tree(block: dict[str, Any]) -> Tree:
    types = block.get("block_types")
    return {
        name: _tree(nested.get("block") or {})
        for name, nested in sorted(types.items() if isinstance(types, dict) else ())
    }


def compact_schema(document: dict[str, Any]) -> dict[str, Any]:
    """`terraform providers schema -json` -> the nested block trees of every provider
    configuration, resource type and data source (the only schema facts JSON syntax needs)."""
    out: dict[str, dict[str, Tree]] = {"provider": {}, "resource": {}, "data": {}}
    for address, provider in sorted(document.get("provider_schemas", {}).items()):
        name = address.rsplit("/", 1)[-1]
        out["provider"][name] = _tree(provider.get("provider", {}).get("block", {}))
        for kind, key in (("resource", "resource_schemas"), ("data", "data_source_schemas")):
            for type_, schema in sorted(provider.get(key, {}).items()):
                out[kind][type_] = _tree(schema.get("block", {}))
    return {"format": 1, "providers": sorted(document.get("provider_schemas", {})), **out}


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress(SCHEMA_FILE.read_bytes()))
    return data


def block_tree(kind: str, type_: str) -> Tree | None:
    """The nested blocks of a `resource`, `data` or `provider` type; None when not known."""
    found = _schema().get(kind, {}).get(type_)
    return found if isinstance(found, dict) else None


def _write_schema(source: Path) -> None:
    """`python -m checker.source.block_schema SCHEMA.json`: regenerate `block_schema.json.gz`."""
    document = json.loads(source.read_text(encoding="utf-8"))
    data = json.dumps(compact_schema(document), separators=(",", ":"), sort_keys=True)
    SCHEMA_FILE.write_bytes(gzip.compress(data.encode("utf-8"), mtime=0))


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    _write_schema(Path(sys.argv[1]))
