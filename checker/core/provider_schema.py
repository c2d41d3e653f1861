"""What the checker keeps of the shipped providers' schemas (from `terraform providers schema
-json` of hashicorp/aws 5.100.0 and hashicorp/archive; `python -m checker.core.provider_schema
SCHEMA.json` writes both files):

- the nested block names, which say whether a JSON object in a block body is a nested
  block or an argument (`checker.source.json_syntax`): `provider_schema.json.gz`;
- the write-only attributes (Terraform 1.11: `write_only` in the schema), which a plan
  always shows as null whatever the configuration sets (`checker.plan.instances`):
  `write_only.json`.
"""

from __future__ import annotations

import gzip
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeAlias

SCHEMA_FILE = Path(__file__).with_name("provider_schema.json.gz")
WRITE_ONLY_FILE = Path(__file__).with_name("write_only.json")
# ----------------------------------------------------------------------- the block schema

Tree: TypeAlias = dict[str, "Tree"]  # nested block name -> its own nested blocks


def _tree(block: dict[str, Any]) -> Tree:
    types = block.get("block_types")
    return {
        name: _tree(nested.get("block") or {})
        for name, nested in sorted(types.items() if isinstance(types, dict) else ())
    }


def _write_only(block: dict[str, Any], path: tuple[str, ...] = ()) -> list[str]:
    """Dotted paths of a block's write-only attributes, nested blocks' included."""
    out: list[str] = []
    attributes = block.get("attributes")
    for name, spec in sorted(attributes.items() if isinstance(attributes, dict) else ()):
        if isinstance(spec, dict) and spec.get("write_only"):
            out.append(".".join((*path, name)))
    types = block.get("block_types")
    for name, nested in sorted(types.items() if isinstance(types, dict) else ()):
        out.extend(_write_only(nested.get("block") or {}, (*path, name)))
    return out


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


def write_only_schema(document: dict[str, Any]) -> dict[str, list[str]]:
    """`terraform providers schema -json` -> resource type -> its write-only attributes
    (a small file of its own: a plan check reads it without the block trees)."""
    out: dict[str, list[str]] = {}
    for provider in document.get("provider_schemas", {}).values():
        for type_, schema in sorted(provider.get("resource_schemas", {}).items()):
            if found := _write_only(schema.get("block", {})):
                out[type_] = found
    return dict(sorted(out.items()))


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress(SCHEMA_FILE.read_bytes()))
    return data


def block_tree(kind: str, type_: str) -> Tree | None:
    """The nested blocks of a `resource`, `data` or `provider` type; None when not known."""
    found = _schema().get(kind, {}).get(type_)
    return found if isinstance(found, dict) else None


@lru_cache(maxsize=1)
def write_only_attributes() -> dict[str, frozenset[str]]:
    """Resource type -> the dotted paths of its write-only attributes."""
    found: dict[str, list[str]] = json.loads(WRITE_ONLY_FILE.read_text(encoding="utf-8"))
    return {type_: frozenset(paths) for type_, paths in found.items()}


def _write_schema(source: Path) -> None:
    """`python -m checker.core.provider_schema SCHEMA.json`: regenerate the shipped file."""
    document = json.loads(source.read_text(encoding="utf-8"))
    data = json.dumps(compact_schema(document), separators=(",", ":"), sort_keys=True)
    SCHEMA_FILE.write_bytes(gzip.compress(data.encode("utf-8"), mtime=0))
    write_only = json.dumps(write_only_schema(document), indent=1, sort_keys=True)
    WRITE_ONLY_FILE.write_text(write_only + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    _write_schema(Path(sys.argv[1]))
