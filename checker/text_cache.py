"""Parsed text (HCL, shell scripts), cached by the digest of the text: once per run, once per machine.

Parsing dominates source binding and static mode, and the same text is parsed
again and again: one module source called by 250 `module` blocks, every
pre-commit run, every CI job on an unchanged stack. A parse is keyed by the
SHA-256 of the text and the parser's version; it is kept in memory for the
run and as JSON (never pickle: the cache must not execute anything) in the
user's cache directory (`platformdirs`, or `CHECKER_CACHE_DIR`), written
atomically, so the processes of `--jobs` and later runs share it. A cache entry
that does not read back as a JSON object is ignored and rewritten. The commands
of a user-data script (`checker.rules.shell`) are cached the same way, under
their own kind, so a warm run never imports the shell parser.
`CHECKER_CACHE_DIR=off` turns the disk cache off. Parse errors are never cached.

A cache entry decides what a file "says", so it must not be forgeable from a
pull request: a cache directory inside the checked tree is refused (exit 2),
and every entry carries the digest it was stored under, which must equal the
digest of the text being parsed (a misfiled, truncated or foreign entry is a
miss, parsed again). Entries are read through the confined reader
(`checker.reader`): regular files only, at most `MAX_ENTRY_BYTES`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = "2"  # bump when what is cached changes shape
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_memory: dict[str, dict[str, Any]] = {}


PARSERS = {"hcl": "tree-sitter-hcl", "shell": "bashlex"}  # what is cached -> its parser's package


@lru_cache(maxsize=8)
def _parser_version(kind: str) -> str:
    if kind not in PARSERS:
        return ""  # what is cached is not a parser's output (the entry points of packs)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PARSERS[kind])
    except PackageNotFoundError:
        return "unknown"


def cache_dir() -> Path | None:
    """The disk cache directory, or None when it is turned off; never inside the checked tree."""
    configured = os.environ.get("CHECKER_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        folder = Path(configured)
    else:
        from platformdirs import user_cache_dir

        folder = Path(user_cache_dir("tap-checker")) / "hcl"
    return _outside_tree(folder, os.getcwd())


@lru_cache(maxsize=8)
def _outside_tree(folder: Path, cwd: str) -> Path:
    from checker.errors import InputError
    from checker.workspace import inside_any, tree_root

    root = inside_any(folder, (tree_root(Path(cwd)),))
    if root is not None:
        raise InputError(
            f"the parse cache {folder} (CHECKER_CACHE_DIR) lies inside the checked tree {root}: "
            "a pull request could plant entries in it",
            "keep the cache outside the checkout, or set CHECKER_CACHE_DIR=off",
        )
    return folder


def digest(text: str, kind: str = "hcl") -> str:
    key = f"{FORMAT}\0{kind}\0{_parser_version(kind)}\0{text}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _read(path: Path, key: str) -> dict[str, Any] | None:
    """The parse stored under `key`, when the entry says it was stored for that very digest."""
    from checker.errors import CheckerError
    from checker.reader import read_regular

    try:
        entry = json.loads(read_regular(path, MAX_ENTRY_BYTES, "cache entry"))
    except (CheckerError, ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or entry.get("digest") != key:
        return None
    parsed = entry.get("parsed")
    return parsed if isinstance(parsed, dict) else None


def _write(folder: Path, name: str, parsed: dict[str, Any]) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(
                {"digest": name.removesuffix(".json"), "parsed": parsed}, out, separators=(",", ":")
            )
        os.replace(temporary, folder / name)
    except (OSError, TypeError, ValueError, RecursionError):
        return  # a cache that cannot be written costs a parse next time, nothing else


def cached_parse(
    text: str, parse: Callable[[], dict[str, Any]], kind: str = "hcl"
) -> dict[str, Any]:
    """`parse()`'s result for this text: from memory, from disk, or parsed and stored."""
    key = digest(text, kind)
    found = _memory.get(key)
    if found is not None:
        return found
    folder = cache_dir()
    if folder is not None:
        found = _read(folder / f"{key}.json", key)
    if found is None:
        found = parse()
        if folder is not None:
            _write(folder, f"{key}.json", found)
    _memory[key] = found
    return found
