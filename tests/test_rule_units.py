"""A rule is one unit: its module holds everything about it, and a new one needs nothing else.

Every loaded rule is asked what it lacks (`checker.rules.completeness.missing_parts`),
so a new rule is told what to add instead of being rejected by a count. A throwaway
sixteenth rule, written here as one module with its cases as data, is loaded, published
(`checker rules --format markdown`), given its engine coverage and judged in static mode
on its cases, with no other file of the project touched.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from checker.config import load_config
from checker.engines import coverage as coverage_module
from checker.results import EXTERNAL_ENGINES, EngineName
from checker.rules.catalogue import render_catalogue
from checker.rules.completeness import missing_parts
from checker.rules.registry import builtin_rules, directory_pack
from checker.run import CheckOptions, check_inputs
from tests.rules.cases import CASES_DIR, load_case
from tests.terraform.rule_cases import case_inputs

pytestmark = pytest.mark.fast

SIXTEENTH = '''
"""TAP016: DynamoDB tables have deletion protection.

Why: a `terraform destroy` in the wrong workspace dropped the table with its data.

Anti-pattern: no `deletion_protection_enabled`, or `false`.
Best practice: `deletion_protection_enabled = true` on every table; tables named in
`exempt` (by address) may go without.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from checker.api import (
    EngineCoverage,
    EngineName,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleOptions,
    Severity,
    Unknown,
)


class Options(RuleOptions):
    exempt: list[str] = Field(default_factory=list, description="table addresses that may go without")


META = RuleMeta(
    id="TAP016",
    title="DynamoDB tables have deletion protection",
    severity=Severity.MEDIUM,
    rationale="A destroy in the wrong workspace drops the table and its data.",
    remediation="Set deletion_protection_enabled = true.",
    resource_types=("aws_dynamodb_table",),
    aws_model="DeleteTable fails while DeletionProtectionEnabled is true.",
    references=(
        "Amazon DynamoDB Developer Guide, Using deletion protection "
        "(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#ddb-deletion-protection)",
    ),
    needs_person="whether a table may be dropped is the data owner's call",
    engines=(
        EngineCoverage(EngineName.CHECKOV, why="a throwaway rule: no check written"),
        EngineCoverage(EngineName.COMPLIANCE, why="a throwaway rule: no feature written"),
    ),
)


def check(ctx: RuleContext) -> Iterator[Result]:
    exempt = ctx.options.exempt if isinstance(ctx.options, Options) else []
    for table in ctx.model.resources("aws_dynamodb_table"):
        if table.address in exempt:
            continue
        value = table.get("deletion_protection_enabled")
        if isinstance(value, Unknown):
            yield Result.unknown(table.address, "deletion_protection_enabled", "known after apply")
        elif value is True:
            yield Result.passed(table.address, "deletion_protection_enabled", "true")
        else:
            yield Result.failed(
                table.address, "deletion_protection_enabled", f"{value}", "true"
            )


RULE = Rule(meta=META, check=check, doc=__doc__ or "", options=Options)
'''

CASES = {
    "without-protection.toml": """
        description = "the canonical table, no deletion protection"
        aws = "DynamoDB Developer Guide, Using deletion protection (URL above)"
        why = "DeleteTable succeeds: a destroy drops the data"
        [[expect]]
        address = "aws_dynamodb_table.main"
        status = "failed"
    """,
    "with-protection.toml": """
        description = "deletion_protection_enabled = true"
        aws = "DynamoDB Developer Guide, Using deletion protection (URL above)"
        why = "DeleteTable is refused while protection is on"
        [[hcl]]
        old = 'billing_mode = "PAY_PER_REQUEST"'
        new = '''billing_mode = "PAY_PER_REQUEST"
          deletion_protection_enabled = true'''
        [[expect]]
        address = "aws_dynamodb_table.main"
        status = "passed"
    """,
}


@pytest.mark.parametrize("rule", builtin_rules(), ids=lambda r: r.meta.id)
def test_every_built_in_rule_is_one_unit(rule: object) -> None:
    from checker.rules.base import Rule

    assert isinstance(rule, Rule)
    assert missing_parts(rule, builtin=True) == []
    assert list((CASES_DIR / rule.meta.id).glob("*.toml")), f"{rule.meta.id}: no rule cases"


def test_what_a_rule_lacks_is_named() -> None:
    rule = next(r for r in builtin_rules() if r.meta.id == "TAP010")
    bare = replace(
        rule,
        doc="TAP010: tables.\n\nWhy: data.\n",
        meta=replace(rule.meta, engines=rule.meta.engines[:1], references=()),
    )
    assert missing_parts(bare, builtin=True) == [
        "docstring Anti-pattern:",
        "docstring Best practice: (or Fix:)",
        "references",
        "engines: compliance (what its checks assert, or why none does)",
    ]
    assert missing_parts(bare, builtin=False) == [
        "docstring Anti-pattern:",
        "docstring Best practice: (or Fix:)",
    ]


def test_a_sixteenth_rule_needs_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "tap016_table_deletion_protection.py").write_text(SIXTEENTH, encoding="utf-8")
    cases = tmp_path / "cases" / "TAP016"
    cases.mkdir(parents=True)
    for name, text in CASES.items():
        (cases / name).write_text(textwrap.dedent(text), encoding="utf-8")

    (rule,) = directory_pack(pack)
    assert missing_parts(rule, builtin=True) == []

    # published: its docstring's sections, its options and its engines
    published = render_catalogue("markdown", (*builtin_rules(), rule))
    section = published.split("## TAP016: ")[1]
    for text in (
        "- Why: a `terraform destroy` in the wrong workspace dropped the table",
        "- Anti-pattern: no `deletion_protection_enabled`, or `false`.",
        "| `exempt` | list[str] | `[]` | table addresses that may go without |",
        "- checkov: not covered: a throwaway rule: no check written",
    ):
        assert text in section

    # the coverage tables take it as they take the fifteen
    monkeypatch.setattr(coverage_module, "builtin_rules", lambda: (*builtin_rules(), rule))
    for engine in EXTERNAL_ENGINES:
        row = coverage_module.coverage(engine)[-1]
        assert (row.rule_id, row.level) == ("TAP016", "none")
    assert "| TAP016 | — | none | a throwaway rule" in coverage_module.markdown_table(
        EngineName.CHECKOV
    )

    # its cases, judged from the edited canonical stack (static mode: no Terraform)
    config = load_config(None, tmp_path, (pack,))
    for path in sorted(cases.glob("*.toml")):
        case = load_case(path)
        source = case_inputs(case).write(tmp_path / path.stem)
        report = check_inputs([str(source)], CheckOptions(), config)
        got = {(f.address, f.status) for f in report.findings if f.rule_id == "TAP016"}
        assert got == {(e.address, e.status("static")) for e in case.expect}, path.name
        assert not [f for f in report.findings if f.error]


def test_a_rule_reads_the_model_only_through_the_api() -> None:
    """A rule module imports `checker.api` (the model protocol, values, results), the
    built-in pack's shared joins (`checker.rules.*`) and AWS semantics and data
    (`checker.core`, `checker.aws`): never the plan, source, engine or report layers."""
    import ast

    from checker.rules.registry import builtin_modules

    allowed = ("checker.api", "checker.rules.", "checker.core", "checker.aws")
    rules_dir = Path(__file__).resolve().parents[1] / "checker" / "builtin"
    for name in builtin_modules():
        tree = ast.parse((rules_dir / f"{name}.py").read_text(encoding="utf-8"))
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("checker")
        }
        wrong = sorted(m for m in imported if not m.startswith(allowed) or "tap0" in m)
        assert wrong == [], (name, wrong)


def test_the_built_in_pack_registers_through_the_packs_entry_point() -> None:
    """The same group a user's installed pack registers in (`tap_checker.rules`)."""
    from importlib.metadata import entry_points

    from checker.rules.registry import BUILTIN_ENTRY_POINT, ENTRY_POINT_GROUP

    (point,) = [p for p in entry_points(group=ENTRY_POINT_GROUP) if p.name == "tap"]
    assert point.value == BUILTIN_ENTRY_POINT
    loaded = point.load()()
    assert [r.meta.id for r in loaded] == [r.meta.id for r in builtin_rules()]
