"""Rule options from `[tool.checker]` in pyproject.toml or a `--config` file.

    [tool.checker]
    source = "."                 # HCL sources for values plans hide
    disabled = ["TAP011"]        # rules not run
    [tool.checker.rules.TAP007]
    routes = ["POST /process"]   # rule options, passed to the rule as-is

A `--config` file may be a pyproject.toml or a plain TOML file with the same
keys at top level.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.errors import InputError


@dataclass(frozen=True)
class CheckerConfig:
    source: Path | None = None
    disabled: frozenset[str] = frozenset()
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    origin: Path | None = None

    def options_for(self, rule_id: str) -> dict[str, Any]:
        return self.rule_options.get(rule_id, {})

    def enabled(self, rule_id: str) -> bool:
        if rule_id in self.disabled:
            return False
        return self.options_for(rule_id).get("enabled", True) is not False


def _section(data: dict[str, Any], path: Path) -> dict[str, Any]:
    tool = data.get("tool", {})
    if isinstance(tool, dict) and isinstance(tool.get("checker"), dict):
        section: dict[str, Any] = tool["checker"]
        return section
    if path.name == "pyproject.toml":
        return {}
    return data


def load_config(explicit: Path | None, cwd: Path | None = None) -> CheckerConfig:
    """Read --config, else the nearest pyproject.toml up from the working directory."""
    path = explicit
    if path is None:
        here = (cwd or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            candidate = folder / "pyproject.toml"
            if candidate.is_file():
                path = candidate
                break
        if path is None:
            return CheckerConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: config file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: invalid TOML: {error}") from None
    section = _section(data, path)
    source = section.get("source")
    rules = section.get("rules", {})
    disabled = section.get("disabled", [])
    if source is not None and not isinstance(source, str):
        raise InputError(f"{path}: [tool.checker] source must be a string path")
    if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
        raise InputError(f"{path}: [tool.checker.rules.TAPxxx] sections must be tables")
    if not isinstance(disabled, list) or not all(isinstance(v, str) for v in disabled):
        raise InputError(f"{path}: [tool.checker] disabled must be a list of rule IDs")
    return CheckerConfig(
        source=(path.parent / source).resolve() if source else None,
        disabled=frozenset(disabled),
        rule_options={str(k): dict(v) for k, v in rules.items()},
        origin=path,
    )
