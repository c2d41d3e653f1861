"""Waivers: a failure someone owns, for a reason, until a date.

    waivers:                        # .checker-waivers.yaml (or TOML with [[waivers]])
      - rule: TAP011
        address: "aws_s3_bucket.logs*"   # exact address or glob
        stack: stacks/app                # optional: a stack glob, "*" for every stack
        owner: platform-team
        reason: logs bucket is kept on destroy until the audit ends
        expires: 2027-01-31

Parsed safely: YAML with the safe loader (no tags that construct objects). A
malformed file is an input error naming the line at fault.

Scope: a finding is (rule, stack, address), and `aws_iam_role.fn` exists in
many stacks. A waiver with `stack` matches that stack glob only (`"*"`: every
stack, said explicitly). One without it, in the repository's file or a named
one, still matches every stack as it always did, and when the report spans
several stacks a warning says so; in the waiver file beside a stack it
matches that stack only.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.report.model import Finding
from checker.results import Status
from checker.workspace import tree_root

DEFAULT_FILE = ".checker-waivers.yaml"
REQUIRED = ("rule", "address", "owner", "reason", "expires")
OPTIONAL_FIELDS = ("stack",)
EVERY_STACK = "*"
MAX_WAIVER_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Waiver:
    rule: str
    address: str
    owner: str
    reason: str
    expires: dt.date
    line: int
    stack: str | None = None  # a glob of stacks; None: not said (see the module docstring)
    scope: str | None = None  # the stack whose own waiver file holds it, else None
    origin: str = ""  # the file, for messages

    def matches(self, finding: Finding) -> bool:
        return (
            finding.rule_id == self.rule
            and fnmatch.fnmatchcase(finding.address, self.address)
            and self._stack_matches(finding.stack)
        )

    def _stack_matches(self, stack: str) -> bool:
        if self.scope is not None and stack and stack != self.scope:
            return False
        if self.stack is None or self.stack == EVERY_STACK or not stack:
            return True  # a finding of an older report has no stack: rule and address decide
        return fnmatch.fnmatchcase(stack, self.stack)

    def unscoped(self) -> bool:
        """Matches every stack without saying so (no `stack`, not in a stack's own file)."""
        return self.stack is None and self.scope is None

    def describe(self) -> str:
        stack = self.stack if self.stack is not None else self.scope
        where = f" in stack {stack}" if stack is not None and stack != EVERY_STACK else ""
        return (
            f"{self.rule} {self.address}{where} (owner {self.owner}, "
            f"expires {self.expires.isoformat()})"
        )


def _yaml_entries(path: Path, text: str) -> list[tuple[Any, int]]:
    import yaml

    try:
        _refuse_aliases(path, text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "unknown line"
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise InputError(f"{path}: invalid YAML at {where}: {problem}") from None
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("waivers"), list):
        raise InputError(f"{path}: line 1: expected a mapping with a 'waivers' list")
    items = next(v for k, v in root.value if k.value == "waivers").value  # type: ignore[union-attr]
    return [
        (entry, node.start_mark.line + 1)
        for entry, node in zip(data["waivers"], items, strict=True)
    ]


def _refuse_aliases(path: Path, text: str) -> None:
    """Anchors and aliases have no use in a waiver file and are how YAML bombs are built."""
    import yaml

    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            line = event.start_mark.line + 1 if event.start_mark is not None else 1
            raise InputError(f"{path}: line {line}: YAML anchors and aliases are not allowed")


def _toml_entries(path: Path, text: str) -> list[tuple[Any, int]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: invalid TOML: {str(error)[:200]}") from None
    except RecursionError:
        raise InputError(f"{path}: TOML is nested too deeply") from None
    entries = data.get("waivers", [])
    if not isinstance(entries, list):
        raise InputError(f"{path}: line 1: expected [[waivers]] tables")
    lines = [n + 1 for n, line in enumerate(text.splitlines()) if line.strip() == "[[waivers]]"]
    return [(entry, lines[i] if i < len(lines) else 1) for i, entry in enumerate(entries)]


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def load_waivers(path: Path, inside: Path | None = None, scope: str | None = None) -> list[Waiver]:
    """The waivers of `path`; `inside`: the tree a file found there (not named) must stay in;
    `scope`: the stack whose own file this is (its waivers match that stack only)."""
    from checker.reader import read_text

    text = read_text(path, MAX_WAIVER_BYTES, "waiver file", inside)
    entries = _toml_entries(path, text) if path.suffix == ".toml" else _yaml_entries(path, text)
    waivers: list[Waiver] = []
    for entry, line in entries:
        if not isinstance(entry, dict):
            raise InputError(
                f"{path}: line {line}: a waiver must be a mapping of {', '.join(REQUIRED)}"
            )
        missing = [key for key in REQUIRED if entry.get(key) in (None, "")]
        if missing:
            raise InputError(f"{path}: line {line}: waiver lacks {', '.join(missing)}")
        extra = [str(key)[:40] for key in entry if key not in (*REQUIRED, *OPTIONAL_FIELDS)]
        if extra:
            raise InputError(f"{path}: line {line}: unknown waiver field {extra[0]!r}")
        for key in (*REQUIRED, *(k for k in OPTIONAL_FIELDS if k in entry)):
            value = entry[key]
            if not isinstance(value, str) and not (key == "expires" and isinstance(value, dt.date)):
                raise InputError(f"{path}: line {line}: waiver field {key!r} must be a string")
        expires = _parse_date(entry["expires"])
        if expires is None:
            raise InputError(f"{path}: line {line}: expires must be a date (YYYY-MM-DD)")
        waivers.append(
            Waiver(
                rule=str(entry["rule"]),
                address=str(entry["address"]),
                owner=str(entry["owner"]),
                reason=str(entry["reason"]),
                expires=expires,
                line=line,
                stack=_stack_glob(path, line, entry.get("stack")),
                scope=scope,
                origin=str(path),
            )
        )
    return waivers


def _stack_glob(path: Path, line: int, value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().strip("/")
    if not text:
        raise InputError(
            f"{path}: line {line}: stack is empty",
            f'name a stack (a glob of directories), or "{EVERY_STACK}" for every stack',
        )
    return text.removeprefix("./") or "."


def default_waiver_files(folders: list[Path | None]) -> list[tuple[Path, str | None]]:
    """The waiver files read when none is named: the repository root's (of the working
    directory, as `checker apply` runs in a stack's directory) and the one beside each input,
    with the stack each speaks for (None: the repository's, every stack)."""
    from checker.report.scope import stack_of

    root = tree_root()
    # keyed by the real path (one file read once), read by its own (a link must not be
    # followed out of the tree: `read_text` checks the path as found)
    found: dict[Path, tuple[Path, str | None]] = {}
    if os.path.lexists(root / DEFAULT_FILE):
        found[(root / DEFAULT_FILE).resolve()] = (root / DEFAULT_FILE, None)
    for folder in folders:
        if folder is None:
            continue
        candidate = folder / DEFAULT_FILE
        if os.path.lexists(candidate) and candidate.resolve() not in found:
            found[candidate.resolve()] = (candidate, stack_of(str(folder), stack_dir=folder))
    return list(found.values())


def unscoped_warnings(waivers: list[Waiver], findings: list[Finding]) -> list[str]:
    """Waivers that name no stack while the findings span several: say that they match all."""
    stacks = {f.stack for f in findings if f.stack}
    if len(stacks) < 2:
        return []
    return [
        f"waiver names no stack and applies to every stack ({len(stacks)} here): "
        f"{w.describe()} at {w.origin}:{w.line}; add stack: <directory>, or "
        f'stack: "{EVERY_STACK}" to say every stack'
        for w in waivers
        if w.unscoped()
    ]


def apply_waivers(
    findings: list[Finding], waivers: list[Waiver], today: dt.date
) -> tuple[list[Finding], list[str]]:
    """Waive the failures live waivers cover; warn about expired and unmatched ones."""
    warnings: list[str] = []
    used: set[int] = set()
    out: list[Finding] = []
    live = [w for w in waivers if w.expires >= today]
    for waiver in waivers:
        if waiver.expires < today:
            warnings.append(
                f"waiver expired on {waiver.expires.isoformat()}, no longer waives: {waiver.describe()}"
            )
    for finding in findings:
        match = next(
            (
                w
                for w in live
                if finding.status in (Status.FAILED, Status.UNKNOWN) and w.matches(finding)
            ),
            None,
        )
        if match is None:
            out.append(finding)
            continue
        used.add(id(match))
        out.append(
            replace(
                finding,
                status=Status.WAIVED,
                waiver=f"waived by {match.owner} until {match.expires.isoformat()}: {match.reason}",
            )
        )
    for waiver in live:
        if id(waiver) not in used and not any(waiver.matches(f) for f in findings):
            warnings.append(f"waiver matches no finding: {waiver.describe()}")
    return out, warnings
