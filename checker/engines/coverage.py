"""Which catalogue rules each external engine asserts, in full or in part, and why not.

Coverage is data: the rules an engine covers come from its checks (the catalogue
ID of each checkov check) and features (the `@TAPnnn` tag of each scenario); each
rule's own metadata (`RuleMeta.engines`) says what they assert, marks a rule asserted
only in part, and gives the reason for each engine that leaves it out. The engines read
`partial_rules` (a partial rule reports failures, never a pass); the policy
READMEs hold `markdown_table`, kept equal by a test.
Run `python -m checker.engines.coverage` to print the tables, with `--write` to
regenerate them in the READMEs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker.engines.external import policies_root
from checker.engines.names import EXTERNAL, EngineName
from checker.errors import EngineError
from checker.rules.base import Rule
from checker.rules.registry import builtin_rules

ENGINES = EXTERNAL


@dataclass(frozen=True)
class RuleCoverage:
    rule_id: str
    checks: tuple[str, ...]  # checkov check IDs or feature files; () when not covered
    level: str  # "full", "partial" or "none"
    text: str  # what it asserts (and what it leaves), or why it is not covered


def _covered(engine: EngineName) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if engine == EngineName.CHECKOV:
        from checker.engines.checkov_checks import checks

        for check_id, (rule_id, _types) in checks().items():
            out.setdefault(rule_id, []).append(check_id)
    else:
        from checker.engines.compliance_features import declared_scenarios, features_dir

        for scenario in declared_scenarios(features_dir()):
            files = out.setdefault(scenario.rule_id, [])
            name = f"`{Path(scenario.file).name}`"
            if name not in files:
                files.append(name)
    return out


def missing_coverage(rule: Rule, covered: dict[str, list[str]], engine: EngineName) -> str:
    """What `rule`'s metadata lacks about `engine` ('' when nothing): the words for the
    checks that cover it, or why none does."""
    note = next((c for c in rule.meta.engines if c.engine == engine), None)
    if covered.get(rule.meta.id):
        return (
            "" if note is not None and note.asserts else f"{engine} asserts (its checks cover it)"
        )
    return "" if note is not None and note.why else f"why {engine} does not cover it"


def coverage(engine: EngineName) -> list[RuleCoverage]:
    """Every built-in rule's coverage by `engine`, checked against its checks or features."""
    covered = _covered(engine)
    out: list[RuleCoverage] = []
    for rule in builtin_rules():
        rule_id = rule.meta.id
        lacking = missing_coverage(rule, covered, engine)
        if lacking:
            raise EngineError(f"{rule_id}: its RuleMeta.engines needs {lacking}")
        note = next(c for c in rule.meta.engines if c.engine == engine)
        checks = tuple(covered.get(rule_id, ()))
        if not checks:
            out.append(RuleCoverage(rule_id, (), "none", note.why))
        elif note.partial:
            text = f"{note.asserts}; not asserted: {note.partial}"
            out.append(RuleCoverage(rule_id, checks, "partial", text))
        else:
            out.append(RuleCoverage(rule_id, checks, "full", note.asserts))
    return out


def partial_rules(engine: EngineName) -> frozenset[str]:
    return frozenset(c.rule_id for c in coverage(engine) if c.level == "partial")


def markdown_table(engine: EngineName) -> str:
    head = "check" if engine == EngineName.CHECKOV else "feature"
    lines = [
        f"| TAP ID | {head} | coverage | what it asserts, or why the rule is not covered |",
        "|---|---|---|---|",
    ]
    for item in coverage(engine):
        if not item.rule_id.startswith("TAP"):
            continue
        checks = ", ".join(item.checks) or "—"
        lines.append(f"| {item.rule_id} | {checks} | {item.level} | {item.text} |")
    return "\n".join(lines) + "\n"


def readme_with_table(text: str, engine: EngineName) -> str:
    """A policy README with the table between its `coverage:<engine>` markers regenerated."""
    start, end = f"<!-- coverage:{engine} -->", f"<!-- /coverage:{engine} -->"
    head, rest = text.split(start, 1)
    _old, tail = rest.split(end, 1)
    return f"{head}{start}\n{markdown_table(engine)}{end}{tail}"


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write"]:
        for name in ENGINES:
            readme = policies_root() / name.value
            path = readme / "README.md"
            path.write_text(readme_with_table(path.read_text(encoding="utf-8"), name))
    else:
        for name in ENGINES:
            print(f"## {name}\n\n{markdown_table(name)}")
