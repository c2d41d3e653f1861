"""Configuration from `[tool.checker]` in pyproject.toml or a `--config` file.

    [tool.checker]
    source = "."                 # HCL sources for values plans hide
    source_root = "."            # file()/templatefile()/modules may not read outside it
    disabled = ["TAP011"]        # rules not run (listed in every report)
    rule_paths = ["policies/acme"]  # directory rule packs (also --rules DIR)
    packs = ["wiring"]           # the checker's optional packs switched on (also --rules NAME)
    stacks = ["stacks/app", "stacks/data"]  # stack directories (`check --changed`, pre-commit)
    [tool.checker.rules.TAP007]
    routes = ["POST /process"]   # rule options, validated by the rule's options model

A `--config` file may be a pyproject.toml or a plain TOML file with the same
keys at top level.

Trust boundary (docs/security.md): settings that decide which code runs or
which files may be read (`TRUSTED_KEYS`: `rule_paths`, `source_root`) are
honoured only from trusted places: the command line (`--rules DIR`,
`--source-root DIR`), the environment (`CHECKER_RULE_PATHS`, path-separated,
and `CHECKER_SOURCE_ROOT`), or a config file named with `--config`. In a
pyproject.toml found in the checked tree they come from the pull request: in
a CI job (`checker.workspace.ci_mode`) that is exit 2 naming the key, elsewhere
the key is ignored with a warning in the report. `source` and `stacks` from a
found file must stay inside its repository. Rule options and `disabled` work
from every file and stay visible in every report. Without `--config`, the nearest `pyproject.toml` is taken,
starting at the checked directory (or the plan file's directory) and walking
up no further than the repository root (the first directory holding `.git`);
outside a repository only the start directory is looked at. When that finds
none, the same search runs from the working directory. The configuration
comes from the pull request like the plan, so it is validated strictly: an
unknown key, rule ID or option, or a wrong type, is exit 2 naming the key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from checker.errors import InputError
from checker.rules.base import Rule, RuleOptions
from checker.workspace import repository_root

KEYS = ("source", "source_root", "disabled", "rules", "rule_paths", "packs", "stacks")
TRUSTED_KEYS = ("rule_paths", "source_root")  # which code runs, which files may be read
MAX_CONFIG_BYTES = 1024 * 1024


@dataclass(frozen=True)
class CheckerConfig:
    source: Path | None = None
    source_root: Path | None = None
    disabled: frozenset[str] = frozenset()
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    origin: Path | None = None
    rule_paths: tuple[Path, ...] = ()  # directory rule packs (`rule_paths`, `--rules`)
    packs: tuple[str, ...] = ()  # optional built-in packs switched on (`packs`, `--rules NAME`)
    stacks: tuple[Path, ...] = ()  # the stack directories a changed file maps to, when listed
    warnings: tuple[str, ...] = ()  # settings of a found file that were ignored, and why

    def rules(self) -> tuple[Rule, ...]:
        """Every rule of this run: built-in, installed packs and directory packs."""
        return load_rules(self.rule_paths, self.packs)

    def options_for(self, rule_id: str) -> RuleOptions:
        """The rule's validated options (its own options model, defaults where unset)."""
        rule = next((r for r in self.rules() if r.meta.id == rule_id), None)
        model = rule.options if rule is not None else RuleOptions
        return model.model_validate(self.rule_options.get(rule_id, {}))

    def enabled(self, rule_id: str) -> bool:
        if rule_id in self.disabled:
            return False
        return self.rule_options.get(rule_id, {}).get("enabled", True) is not False

    def disabled_rules(self, known: list[str]) -> list[str]:
        return [rule_id for rule_id in known if not self.enabled(rule_id)]


def load_rules(directories: tuple[Path, ...], packs: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    """The rule set, or exit 2 naming the pack and file at fault."""
    from checker.rules.registry import RegistryError, rule_set

    try:
        return rule_set(directories, packs)
    except RegistryError as error:
        raise InputError(str(error), "fix or remove the rule pack") from None


def _section(data: dict[str, Any], path: Path) -> dict[str, Any]:
    tool = data.get("tool", {})
    if isinstance(tool, dict) and isinstance(tool.get("checker"), dict):
        section: dict[str, Any] = tool["checker"]
        return section
    if path.name == "pyproject.toml":
        return {}
    return data


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml from `start` up to the repository root."""
    here = start.resolve()
    top = repository_root(here)
    folders = (
        [here] if top is None else [here, *here.parents][: len(here.parents) - len(top.parents) + 1]
    )
    for folder in folders:
        candidate = folder / "pyproject.toml"
        if os.path.lexists(candidate):  # whatever it is: the confined reader decides
            return candidate
    return None


def config_start(paths: list[str]) -> Path:
    """Where the search for a pyproject.toml starts: the first checked input's directory."""
    for name in paths:
        if name == "-":
            continue
        path = Path(name)
        return path if path.is_dir() else path.parent
    return Path.cwd()


def _read(path: Path, inside: Path | None = None) -> dict[str, Any]:
    from checker.reader import read_text

    if inside is None and path.resolve() == Path(os.devnull):
        return {}  # `--config /dev/null`: the command line asks for no configuration
    text = read_text(path, MAX_CONFIG_BYTES, "config file", inside)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: invalid TOML: {str(error)[:200]}") from None
    except RecursionError:
        raise InputError(f"{path}: TOML is nested too deeply") from None


def _validate_rules(
    path: Path, rules: Any, disabled: Any, known: tuple[Rule, ...]
) -> dict[str, dict[str, Any]]:
    by_id = {rule.meta.id: rule for rule in known}
    if not isinstance(disabled, list) or not all(isinstance(v, str) for v in disabled):
        raise InputError(f"{path}: [tool.checker] disabled must be a list of rule IDs")
    for rule_id in disabled:
        if rule_id not in by_id:
            raise InputError(f"{path}: [tool.checker] disabled: unknown rule ID {rule_id[:40]!r}")
    if not isinstance(rules, dict):
        raise InputError(f"{path}: [tool.checker.rules] must be a table of rule IDs")
    options: dict[str, dict[str, Any]] = {}
    for rule_id, table in rules.items():
        rule = by_id.get(rule_id)
        key = f"[tool.checker.rules.{rule_id[:40]}]"
        if rule is None:
            raise InputError(f"{path}: {key}: unknown rule ID", "'checker rules' lists them")
        if not isinstance(table, dict):
            raise InputError(f"{path}: {key} must be a table")
        try:
            rule.options.model_validate(table)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "(table)"
            raise InputError(f"{path}: {key} {where[:60]}: {first['msg']}") from None
        options[rule_id] = dict(table)
    return options


def pack_arguments(values: tuple[Path, ...]) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    """`--rules` values: directories, and the names of the checker's optional packs (a
    directory named like one is given by a longer path, `policies/wiring` or absolute)."""
    from checker.rules.registry import OPTIONAL_PACKS

    names = tuple(str(v) for v in values if str(v) in OPTIONAL_PACKS)
    return tuple(v for v in values if str(v) not in OPTIONAL_PACKS), names


def _packs(path: Path, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{path}: [tool.checker] packs must be a list of pack names")
    from checker.rules.registry import OPTIONAL_PACKS

    for name in value:
        if name not in OPTIONAL_PACKS:
            raise InputError(
                f"{path}: [tool.checker] packs: unknown pack {name[:40]!r}",
                f"the checker's optional packs: {', '.join(sorted(OPTIONAL_PACKS))}",
            )
    return tuple(value)


def _rule_paths(path: Path, value: Any) -> tuple[Path, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{path}: [tool.checker] rule_paths must be a list of directories")
    return tuple((path.parent / v).resolve() for v in value)


@dataclass(frozen=True)
class TrustedSettings:
    """What the command line and the environment say about code and reads."""

    rule_paths: tuple[Path, ...] = ()
    source_root: Path | None = None
    packs: tuple[str, ...] = ()  # `--rules NAME`: the checker's own code, named

    @classmethod
    def of(cls, rules: tuple[Path, ...] = (), source_root: Path | None = None) -> TrustedSettings:
        """Command-line values first, then `CHECKER_RULE_PATHS` / `CHECKER_SOURCE_ROOT`."""
        env_rules = tuple(
            Path(p) for p in os.environ.get("CHECKER_RULE_PATHS", "").split(os.pathsep) if p
        )
        env_root = os.environ.get("CHECKER_SOURCE_ROOT") or None
        root = source_root or (Path(env_root) if env_root else None)
        directories, packs = pack_arguments((*rules, *env_rules))
        return cls(
            rule_paths=tuple(p.resolve() for p in directories),
            source_root=root.resolve() if root is not None else None,
            packs=packs,
        )


def _untrusted_keys(path: Path, section: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A found file's section without `TRUSTED_KEYS`: refused in CI, else ignored with a warning."""
    from checker.workspace import ci_mode

    present = [key for key in TRUSTED_KEYS if key in section]
    if not present:
        return section, []
    why = (
        f"[tool.checker] {', '.join(present)} in {path}, a file of the checked tree, decides which "
        "code runs or which files are read"
    )
    where = "--config FILE, the command line (--rules, --source-root) or the environment"
    if ci_mode():
        raise InputError(f"{why}: refused in CI", f"set it with {where}")
    kept = {key: value for key, value in section.items() if key not in TRUSTED_KEYS}
    return kept, [f"{why}: ignored (honoured only from {where})"]


def _inside_repository(path: Path, key: str, folders: tuple[Path, ...]) -> None:
    from checker.workspace import tree_root

    top = tree_root(path.parent)
    for folder in folders:
        if not folder.is_relative_to(top):
            raise InputError(
                f"{path}: [tool.checker] {key} {folder} leaves the repository {top}",
                "a configuration found in the checked tree may only name folders inside it",
            )


def load_config(
    explicit: Path | None,
    start: Path | None = None,
    extra_rules: tuple[Path, ...] = (),
    source_root: Path | None = None,
) -> CheckerConfig:
    """Read --config, else the nearest pyproject.toml (see the module docstring).

    `extra_rules` are `--rules DIR` packs and `source_root` is `--source-root DIR`:
    with the environment's, they are the trusted settings.
    """
    trusted = TrustedSettings.of(extra_rules, source_root)
    path = explicit
    if path is None:
        path = find_config(start) if start is not None else None
        path = path or find_config(Path.cwd())
    extra = trusted.rule_paths
    if path is None:
        load_rules(extra, trusted.packs)
        return CheckerConfig(rule_paths=extra, source_root=trusted.source_root, packs=trusted.packs)
    found = explicit is None
    section = _section(_read(path, _tree_of(path) if found else None), path)
    unknown = [key for key in section if key not in KEYS]
    if unknown:
        raise InputError(
            f"{path}: [tool.checker] unknown key {unknown[0][:40]!r}",
            f"known keys: {', '.join(KEYS)}",
        )
    warnings: list[str] = []
    if found:
        section, warnings = _untrusted_keys(path, section)
    source, root = section.get("source"), section.get("source_root")
    for key, value in (("source", source), ("source_root", root)):
        if value is not None and not isinstance(value, str):
            raise InputError(f"{path}: [tool.checker] {key} must be a string path")
    stacks = section.get("stacks", [])
    if not isinstance(stacks, list) or not all(isinstance(s, str) for s in stacks):
        raise InputError(f"{path}: [tool.checker] stacks must be a list of directory paths")
    source_dir = (path.parent / source).resolve() if source else None
    stack_dirs = tuple((path.parent / s).resolve() for s in stacks)
    if found:
        _inside_repository(path, "source", (source_dir,) if source_dir else ())
        _inside_repository(path, "stacks", stack_dirs)
    paths = (*_rule_paths(path, section.get("rule_paths", [])), *extra)
    packs = tuple(dict.fromkeys((*_packs(path, section.get("packs", [])), *trusted.packs)))
    known = load_rules(paths, packs)
    rules = _validate_rules(path, section.get("rules", {}), section.get("disabled", []), known)
    configured_root = (path.parent / root).resolve() if root else None
    return CheckerConfig(
        source=source_dir,
        source_root=trusted.source_root or configured_root,
        disabled=frozenset(section.get("disabled", [])),
        rule_options=rules,
        origin=path,
        rule_paths=paths,
        packs=packs,
        stacks=stack_dirs,
        warnings=tuple(warnings),
    )


def _tree_of(path: Path) -> Path:
    """The tree a found config file must stay inside (its real path may not leave it)."""
    from checker.workspace import tree_root

    return tree_root(path.parent.resolve())
