"""The registry: the built-in pack and rule packs, loaded lazily and validated on load.

A rule pack is either a directory (`--rules DIR`, `[tool.checker] rule_paths`)
whose modules define `RULE` (one rule) or `RULES` (several), or an installed
package registering the entry point group `tap_checker.rules`, whose value is a
module with `RULE`/`RULES` or a callable returning rules. The TAP rules (every
`tapNNN_*` module of `checker.builtin`) are the built-in pack: registered through that same
entry point group by this package (`tap = "checker.builtin:rules"`) and validated alike. A duplicate ID, a
malformed rule or an import error is a `RegistryError` naming the pack and the
file (exit 2 at the command line).

Optional built-in packs (`OPTIONAL_PACKS`: `wiring`, the incidents generalised across AWS
services) ship with the checker but are off by default: `--rules NAME` or
`[tool.checker] packs = ["NAME"]` switches one on. They are loaded like any pack (a callable
returning rules, validated alike); their rule IDs carry the pack's own prefix.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import ModuleType

from checker.rules.base import Rule

BUILTIN_PACK = "tap (built-in)"
BUILTIN_ENTRY_POINT = "checker.builtin:rules"  # pyproject.toml [project.entry-points]
BUILTIN_DIR = Path(__file__).resolve().parents[1] / "builtin"  # the package `checker.builtin`
ENTRY_POINT_GROUP = "tap_checker.rules"
RULE_ID = re.compile(r"^[A-Z][A-Z0-9_]*[0-9]{3}$")


@dataclass(frozen=True)
class OptionalPack:
    """A pack of the checker's own that a run switches on by name."""

    entry: str  # `module:callable`, as an entry point names it
    prefix: str  # every rule ID of the pack starts with it


OPTIONAL_PACKS: dict[str, OptionalPack] = {
    "wiring": OptionalPack("checker.wiring:rules", "WIR"),
}


class RegistryError(Exception):
    """A rule pack is unusable: an import error, a duplicate ID, a malformed rule."""


def _check_rule(rule: object, where: str, pack: str) -> Rule:
    if not isinstance(rule, Rule):
        raise RegistryError(f"{where}: {type(rule).__name__} is not a checker.api.Rule")
    meta = rule.meta
    if not RULE_ID.match(meta.id):
        raise RegistryError(f"{where}: malformed rule ID {meta.id[:40]!r} (want e.g. ACME001)")
    if not (meta.title and meta.rationale and meta.remediation and meta.resource_types):
        raise RegistryError(
            f"{where}: {meta.id}: title, rationale, remediation and resource types are required"
        )
    if pack == BUILTIN_PACK and meta.id != f"TAP{meta.incident:03d}":
        raise RegistryError(f"{where}: {meta.id}: incident {meta.incident} does not match its ID")
    if not callable(rule.check):
        raise RegistryError(f"{where}: {meta.id}: check is not callable")
    return rule


def rules_of(module: ModuleType, pack: str, where: str) -> list[Rule]:
    """`RULE` and/or `RULES` of a module (a module with neither holds helpers: none)."""
    found: list[object] = []
    if hasattr(module, "RULE"):
        found.append(module.RULE)
    if hasattr(module, "RULES"):
        many = module.RULES
        if not isinstance(many, list | tuple):
            raise RegistryError(f"{where}: RULES must be a list of rules")
        found.extend(many)
    return [replace(_check_rule(r, where, pack), pack=pack) for r in found]


def validate(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    """Every rule well-formed, every ID once; sorted by ID."""
    seen: dict[str, Rule] = {}
    for rule in rules:
        _check_rule(rule, f"pack {rule.pack}", rule.pack)
        other = seen.get(rule.meta.id)
        if other is not None:
            raise RegistryError(
                f"duplicate rule ID {rule.meta.id}: in {other.pack} and in {rule.pack}"
            )
        seen[rule.meta.id] = rule
    return tuple(sorted(seen.values(), key=lambda r: r.meta.id))


def package_modules(package: str, prefix: str) -> tuple[str, ...]:
    """A pack package's rule modules: every `<prefix>NNN_*.py` of it, so that a new rule is
    one new module and nothing else (the package ships with the checker: never the checked
    tree)."""
    directory = BUILTIN_DIR.parent / package.removeprefix("checker.").replace(".", "/")
    return tuple(sorted(p.stem for p in directory.glob(f"{prefix}[0-9][0-9][0-9]_*.py")))


def builtin_modules() -> tuple[str, ...]:
    """The built-in pack's modules: every `tapNNN_*.py` of `checker.builtin`."""
    return package_modules("checker.builtin", "tap")


def package_pack(package: str, prefix: str, pack: str) -> list[Rule]:
    """The rules of a pack package of the checker's own, module by module."""
    rules: list[Rule] = []
    for name in package_modules(package, prefix):
        module = importlib.import_module(f"{package}.{name}")
        where = f"{package.replace('.', '/')}/{name}.py"
        rules.extend(rules_of(module, pack, where))
    return rules


def builtin_pack() -> list[Rule]:
    """The built-in pack's rules: what its entry point (`tap = "checker.builtin:rules"`)
    returns."""
    return package_pack("checker.builtin", "tap", BUILTIN_PACK)


@cache
def optional_pack(name: str) -> tuple[Rule, ...]:
    """An optional built-in pack by name (`OPTIONAL_PACKS`), loaded like an installed pack."""
    known = OPTIONAL_PACKS.get(name)
    if known is None:
        raise RegistryError(
            f"unknown rule pack {name[:40]!r}: the checker's own packs are "
            + ", ".join(sorted(OPTIONAL_PACKS))
        )
    pack = f"{name} (built-in, optional)"
    rules = _pack_rules((name, known.entry), pack)
    for rule in rules:
        if not rule.meta.id.startswith(known.prefix):
            raise RegistryError(f"pack {pack}: {rule.meta.id} does not start with {known.prefix}")
    return validate(rules)


@cache
def _entry_points() -> tuple[tuple[str, str], ...]:
    """(name, value) of every `tap_checker.rules` entry point on the import path. Scanning
    them imports `importlib.metadata` and reads every distribution's metadata (tens of
    milliseconds of every start); the result is kept in the text cache under the paths and
    modification times of every `entry_points.txt` on the import path, so an install, an
    uninstall or an edit of one scans again and a start with none of them is cheap."""
    from checker.errors import CheckerError
    from checker.text_cache import cached_parse

    try:
        found = cached_parse(_installed_metadata(), _scan_entry_points, kind="entry-points")
    except CheckerError:  # a cache directory the checker refuses: scan, keep nothing
        found = _scan_entry_points()
    points = found.get("points")
    return tuple(
        (str(name), str(value))
        for name, value in (points if isinstance(points, list) else [])
        if isinstance(name, str) and isinstance(value, str)
    )


def _installed_metadata() -> str:
    """Every distribution's `entry_points.txt` on the import path, with its mtime."""
    import os

    lines: list[str] = []
    for entry in sys.path:
        try:
            children = list(os.scandir(entry or "."))
        except OSError:
            continue
        for child in children:
            if child.name.endswith((".dist-info", ".egg-info")):
                points = os.path.join(child.path, "entry_points.txt")
                try:
                    lines.append(f"{points}\0{os.stat(points).st_mtime_ns}")
                except OSError:
                    continue
    return "\n".join([ENTRY_POINT_GROUP, *lines])


def _scan_entry_points() -> dict[str, object]:
    from importlib.metadata import entry_points

    return {"points": [[p.name, p.value] for p in entry_points(group=ENTRY_POINT_GROUP)]}


def _load(value: str) -> object:
    """What an entry point's value (`module:attr.attr [extras]`) names, as
    `importlib.metadata.EntryPoint.load` finds it."""
    module, _, attributes = value.partition(":")
    loaded: object = importlib.import_module(module.strip())
    for attribute in attributes.split("[", 1)[0].strip().split("."):
        if attribute:
            loaded = getattr(loaded, attribute)
    return loaded


@cache
def builtin_rules() -> tuple[Rule, ...]:
    """The built-in pack, loaded through its entry point like every installed pack."""
    point = next((p for p in _entry_points() if p[1] == BUILTIN_ENTRY_POINT), None)
    if point is None:
        raise RegistryError(
            f"the built-in pack is not registered (entry point {BUILTIN_ENTRY_POINT}): "
            "install the checker (pip install tap-checker, or ./dev setup in a checkout)"
        )
    return validate(_pack_rules(point, BUILTIN_PACK))


def _import_file(path: Path, pack: str) -> ModuleType:
    name = f"checker_pack_{abs(hash(str(path.parent)))}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RegistryError(f"pack {pack}: {path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the pack's own code: any error is the pack's
        sys.modules.pop(name, None)
        raise RegistryError(
            f"pack {pack}: {path}: import failed ({type(error).__name__}: {str(error)[:120]})"
        ) from None
    return module


@cache
def directory_pack(directory: Path) -> tuple[Rule, ...]:
    """Every module of a directory that defines RULE or RULES."""
    if not directory.is_dir():
        raise RegistryError(f"rule pack {directory}: not a directory")
    pack = str(directory)
    rules: list[Rule] = []
    files: dict[str, Path] = {}
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        for rule in rules_of(_import_file(path, pack), pack, f"pack {pack}: {path}"):
            if rule.meta.id in files:
                raise RegistryError(
                    f"pack {pack}: {path}: duplicate rule ID {rule.meta.id} "
                    f"(also in {files[rule.meta.id].name})"
                )
            files[rule.meta.id] = path
            rules.append(rule)
    return validate(rules)


@cache
def entry_point_packs() -> tuple[Rule, ...]:
    """Rules of installed packages (entry point group `tap_checker.rules`)."""
    rules: list[Rule] = []
    for name, value in _entry_points():
        if value != BUILTIN_ENTRY_POINT:
            rules.extend(_pack_rules((name, value), f"{name} ({value})"))
    return tuple(rules)


def _pack_rules(point: tuple[str, str], pack: str) -> list[Rule]:
    """The rules an entry point (name, value) registers: a module with RULE/RULES, or a
    callable."""
    try:
        loaded = _load(point[1])
    except Exception as error:
        raise RegistryError(
            f"pack {pack}: import failed ({type(error).__name__}: {str(error)[:120]})"
        ) from None
    if isinstance(loaded, ModuleType):
        return rules_of(loaded, pack, f"pack {pack}")
    if callable(loaded):
        produced = loaded()
        many = produced if isinstance(produced, list | tuple) else [produced]
        return [replace(_check_rule(r, f"pack {pack}", pack), pack=pack) for r in many]
    raise RegistryError(f"pack {pack}: neither a module nor a callable returning rules")


@cache
def rule_set(directories: tuple[Path, ...] = (), packs: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    """The built-in pack, installed packs, the optional packs switched on and directory packs:
    every ID once."""
    rules = [*builtin_rules(), *entry_point_packs()]
    for name in dict.fromkeys(packs):
        rules.extend(optional_pack(name))
    for directory in directories:
        rules.extend(directory_pack(directory.resolve()))
    return validate(rules)


def all_rules() -> tuple[Rule, ...]:
    """The rules every run has: the built-in pack and installed packs."""
    return rule_set(())


def rule_by_id(
    rule_id: str, directories: tuple[Path, ...] = (), packs: tuple[str, ...] = ()
) -> Rule | None:
    return next((r for r in rule_set(directories, packs) if r.meta.id == rule_id), None)
