"""Rule cases as data: `tests/rules/TAPnnn/<case>.toml`, one small edit of the canonical stack each.

A case is what a reviewer tries with one edit of `tap_stack.tf` (and the handler):
the verdict AWS would give, the AWS or provider document that says so, and why.
Its create plan is written by real Terraform (`python -m tests.terraform.rule_cases`)
into `tests/fixtures/rules/TAPnnn/`; `tests/test_rule_cases.py` checks every case
with sources bound, from the plan alone and in static mode.

    description = "an explicit Deny of dynamodb:PutItem beside the Allow"
    aws = "IAM User Guide, policy evaluation logic: an explicit deny overrides any allow (URL)"
    why = "the handler's put_item is denied: the write fails at run time"

    [[hcl]]                      # edits of tap_stack.tf, applied in order, each found once
    old = '...'
    new = '...'

    [[handler]]                  # edits of lambda/index.py (optional)
    old = '...'
    new = '...'

    [[expect]]                   # the rule's worst verdict at an address
    address = "aws_lambda_function.processor"
    status = "failed"            # with sources bound
    plan = "unknown"             # from the plan alone (default: status)
    static = "failed"            # from the .tf files alone (default: status)

    also_fails = [["TAP008", "aws_lambda_function.processor"]]  # other rules the edit breaks
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = ROOT / "tests" / "rules"
PLANS_DIR = ROOT / "tests" / "fixtures" / "rules"
STATUSES = ("passed", "unknown", "failed")
MODES = ("sources", "plan", "static")


@dataclass(frozen=True)
class Expectation:
    address: str
    by_mode: tuple[tuple[str, str], ...]  # (mode, status)

    def status(self, mode: str) -> str:
        return dict(self.by_mode)[mode]


@dataclass(frozen=True)
class RuleCase:
    rule: str
    name: str
    description: str
    aws: str
    why: str
    hcl: tuple[tuple[str, str], ...]
    handler: tuple[tuple[str, str], ...]
    expect: tuple[Expectation, ...]
    also_fails: frozenset[tuple[str, str]]

    @property
    def id(self) -> str:
        return f"{self.rule}/{self.name}"

    def source(self, text: str) -> str:
        return _edit(text, self.hcl, f"{self.id}: tap_stack.tf")

    def handler_source(self, text: str) -> str:
        return _edit(text, self.handler, f"{self.id}: lambda/index.py")

    def digest(self, tf: str, handler: str) -> str:
        edited = f"{self.source(tf)}\0{self.handler_source(handler)}"
        return hashlib.sha256(edited.encode()).hexdigest()[:16]

    def plan_path(self) -> Path:
        return PLANS_DIR / self.rule / f"{self.name}.create.json.gz"


def _edit(text: str, edits: tuple[tuple[str, str], ...], where: str) -> str:
    for old, new in edits:
        if text.count(old) != 1:
            raise ValueError(f"{where}: {old!r} occurs {text.count(old)} times, not once")
        text = text.replace(old, new, 1)
    return text


def _pairs(raw: object, where: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError(f"{where}: a list of {{old, new}} tables")
    out: list[tuple[str, str]] = []
    for item in raw:
        if not isinstance(item, dict) or set(item) != {"old", "new"}:
            raise ValueError(f"{where}: each edit has exactly `old` and `new`")
        out.append((str(item["old"]), str(item["new"])))
    return tuple(out)


def _expectation(raw: object, where: str) -> Expectation:
    if not isinstance(raw, dict) or not {"address", "status"} <= set(raw):
        raise ValueError(f"{where}: each [[expect]] has `address` and `status`")
    unknown_keys = set(raw) - {"address", "status", "plan", "static"}
    if unknown_keys:
        raise ValueError(f"{where}: unknown keys {sorted(unknown_keys)}")
    status = str(raw["status"])
    by_mode = (
        ("sources", status),
        ("plan", str(raw.get("plan", status))),
        ("static", str(raw.get("static", status))),
    )
    for _mode, value in by_mode:
        if value not in STATUSES:
            raise ValueError(f"{where}: status {value!r} is not one of {STATUSES}")
    return Expectation(str(raw["address"]), by_mode)


def load_case(path: Path) -> RuleCase:
    where = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    allowed = {"description", "aws", "why", "hcl", "handler", "expect", "also_fails"}
    if set(raw) - allowed:
        raise ValueError(f"{where}: unknown keys {sorted(set(raw) - allowed)}")
    for key in ("description", "aws", "why", "expect"):
        if not raw.get(key):
            raise ValueError(f"{where}: `{key}` is required")
    expect = raw["expect"]
    if not isinstance(expect, list):
        raise ValueError(f"{where}: `expect` is a list of tables")
    also = raw.get("also_fails", [])
    return RuleCase(
        rule=path.parent.name,
        name=path.stem,
        description=str(raw["description"]),
        aws=str(raw["aws"]),
        why=str(raw["why"]),
        hcl=_pairs(raw.get("hcl"), where),
        handler=_pairs(raw.get("handler"), where),
        expect=tuple(_expectation(e, where) for e in expect),
        also_fails=frozenset((str(r), str(a)) for r, a in also),
    )


def rule_cases(rule: str | None = None) -> list[RuleCase]:
    folders = sorted(p for p in CASES_DIR.glob("TAP[0-9][0-9][0-9]") if p.is_dir())
    return [
        load_case(path)
        for folder in folders
        if rule is None or folder.name == rule
        for path in sorted(folder.glob("*.toml"))
    ]
