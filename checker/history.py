"""New or inherited, from the plan itself: each failed finding compared with the verdict the
same rule gives the plan's prior state (`checker.plan.prior`).

- introduced: what the finding judges does not exist before the plan (every finding of a
  create plan), or the rule passes on the prior state and fails on the planned one;
- inherited: it fails on both;
- fixed: it fails on the prior state and passes on the planned one, or the plan deletes
  what failed: a passed finding, so a report shows what the change mends;
- unknown: the plan cannot tell; `change_note` says why and what settles it.

A prior verdict is trusted when it rests on prior values: the plan changes the resource
(its prior model has no configuration, `checker.plan.prior`), or the rule read no
configuration for it. A failure of an unchanged resource that the rule read from the
configuration may come from an edit that left no trace in the plan (a removed
`depends_on`, a removed Optional+Computed block): Terraform keeps only the new
configuration. The base revision's sources settle those (`--prior-source DIR`): the
rules' static verdicts on them stand for the prior configuration's.

External engines judge the planned plan only; their failed findings take the native
engine's prior verdict of the same rule on the same address. No baseline file is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from checker.plan.evidence import STATE
from checker.report.model import Change, Finding
from checker.results import Status

if TYPE_CHECKING:
    from checker.engines.native import NativeRun
    from checker.inputs import LoadedInput

Key = tuple[str, str]  # (rule, address)
BaseKey = tuple[str, str, str]  # (rule, address, attribute)
SETTLE = "the base revision's .tf files (--prior-source DIR) settle it"


@dataclass(frozen=True)
class Prior:
    """One input's prior verdicts: the rules' findings on its prior state, the addresses
    that exist before the plan and those it changes, and the base sources' verdicts."""

    findings: Sequence[Finding]
    existing: frozenset[str]
    changed: frozenset[str]
    read: Mapping[str, frozenset[str]]  # rule -> every origin it read on the prior model
    base: Mapping[BaseKey, frozenset[Status]] | None = None
    # address -> the address it had before the plan (a `moved` block, or count removed:
    # Terraform's `previous_address`); the base revision's sources still use the old one
    moved: Mapping[str, str] = field(default_factory=dict)
    _by_key: dict[Key, list[Finding]] = field(default_factory=dict, init=False, repr=False)
    _base_by_key: dict[Key, frozenset[Status]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for finding in self.findings:
            self._by_key.setdefault((finding.rule_id, finding.address), []).append(finding)
        for (rule, address, _), statuses in (self.base or {}).items():
            known = self._base_by_key.get((rule, address), frozenset())
            self._base_by_key[(rule, address)] = known | statuses

    def verdicts(self, finding: Finding) -> list[Finding]:
        """The prior findings of the same rule on the same address: those on the same
        attribute when there are (a rule may judge several of one resource)."""
        found = self._by_key.get((finding.rule_id, finding.address), [])
        same = [b for b in found if b.attribute == finding.attribute]
        return same or found

    def base_verdict(self, finding: Finding) -> frozenset[Status] | None:
        """The base revision's statuses for the finding's rule, address (under its address
        there) and attribute, else for any attribute of that address."""
        if self.base is None:
            return None
        for address in (finding.address, self.moved.get(finding.address, "")):
            exact = self.base.get((finding.rule_id, address, finding.attribute))
            if exact is not None:
                return exact
            loose = self._base_by_key.get((finding.rule_id, address))
            if loose is not None:
                return loose
        return None

    def trusted(self, finding: Finding) -> bool:
        """Does this prior verdict rest on the prior state alone? Its rule read nothing
        else: no configuration, no data source this plan read again."""
        return self.read.get(finding.rule_id, frozenset()) <= {STATE}


def prior_of(
    item: LoadedInput, run: NativeRun | None, base: Mapping[BaseKey, frozenset[Status]] | None
) -> Prior | None:
    """The input's prior verdicts from the rules' `run` on its prior model (`item.prior`);
    None for a create plan or static mode (no prior state)."""
    from checker.plan.prior import changed_addresses

    if item.prior is None or run is None:
        return None
    return Prior(
        run.findings,
        frozenset(i.address for i in item.prior.instances),
        changed_addresses(item.model),
        run.origins,
        base,
        item.moved,
    )


def base_verdicts(findings: Sequence[Finding]) -> dict[BaseKey, frozenset[Status]]:
    """The statuses of the rules' static findings on the base revision's sources."""
    out: dict[BaseKey, set[Status]] = {}
    for finding in findings:
        key = (finding.rule_id, finding.address, finding.attribute)
        out.setdefault(key, set()).add(finding.status)
    return {key: frozenset(statuses) for key, statuses in out.items()}


def classify(findings: Sequence[Finding], prior: Prior | None) -> list[Finding]:
    """The findings of one input with their change, and a passed `fixed` finding for each
    prior failure the planned model no longer has."""
    if prior is None:
        return [
            replace(f, change=Change.INTRODUCED) if f.status == Status.FAILED else f
            for f in findings
        ]
    planned: set[BaseKey] = {(f.rule_id, f.address, f.attribute) for f in findings}
    out: list[Finding] = []
    for finding in findings:
        if finding.status == Status.FAILED:
            change, why = _change(prior, finding)
            out.append(replace(finding, change=change, change_note=why))
        elif finding.status == Status.PASSED and _fixed(prior, finding):
            out.append(replace(finding, change=Change.FIXED))
        else:
            out.append(finding)
    for before in prior.findings:
        key = (before.rule_id, before.address, before.attribute)
        if before.status != Status.FAILED or key in planned or not _fixed(prior, before):
            continue
        planned.add(key)
        message = f"fixed by this plan (before it: {before.message})"
        out.append(replace(before, status=Status.PASSED, change=Change.FIXED, message=message))
    return out


def _change(prior: Prior, finding: Finding) -> tuple[Change, str]:
    resource = finding.address.split(" ")[0]
    if resource in prior.changed and resource not in prior.existing:
        return Change.INTRODUCED, ""
    before = [b for b in prior.verdicts(finding) if prior.trusted(b)]
    if any(b.status == Status.PASSED for b in before):
        return Change.INTRODUCED, ""
    if any(b.status == Status.FAILED for b in before):
        return Change.INHERITED, ""
    before = prior.verdicts(finding)
    base = prior.base_verdict(finding)
    if prior.base is not None and base is None:
        return Change.INTRODUCED, ""  # the base revision has nothing there for the rule
    if base is not None and Status.FAILED in base:
        return Change.INHERITED, ""
    if base is not None and Status.PASSED in base:
        return Change.INTRODUCED, ""
    if any(b.status != Status.UNKNOWN for b in before):
        why = (
            "the rule's verdict on the prior state leans on configuration or data sources, "
            "which the plan holds only as they will be"
        )
    elif before:
        why = "the rule's verdict on the prior state is unknown"
    else:
        why = "the rule judged nothing there in the prior state"
    return Change.UNKNOWN, f"{why}; {SETTLE}" if prior.base is None else why


def _fixed(prior: Prior, finding: Finding) -> bool:
    """Did this (rule, address) fail before the plan, as far as the plan or base tells?"""
    trusted = {b.status for b in prior.verdicts(finding) if prior.trusted(b)}
    if trusted & {Status.FAILED, Status.PASSED}:
        return Status.FAILED in trusted
    base = prior.base_verdict(finding)
    return base is not None and Status.FAILED in base
