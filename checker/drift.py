"""Drift that matters: what changed outside Terraform, judged by the rules.

A plan's `resource_drift` lists every resource the refresh found changed since Terraform
last stored it; its `prior_state` holds the refreshed (drifted) values. The rules judge
the prior state twice, with the drifted resources' values as Terraform stored them and
as they are now (both values-only models, `checker.plan.prior`), and a drifted resource
is reported when a rule that read it (or names it) gives another verdict on its drifted
values: the attributes that changed, the verdict each rule turns, and whether the plan
overwrites the drifted values (sets them back to the configuration) or keeps them.
Drift no rule's verdict depends on (moto's or AWS's own defaults) is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from checker.report.model import Drift, Finding
from checker.results import Status

if TYPE_CHECKING:
    from checker.config import CheckerConfig
    from checker.engines.native import NativeRun
    from checker.inputs import LoadedInput

Verdicts = dict[tuple[str, str], frozenset[Status]]


def _verdicts(findings: Sequence[Finding]) -> Verdicts:
    out: dict[tuple[str, str], set[Status]] = {}
    for finding in findings:
        out.setdefault((finding.rule_id, finding.address), set()).add(finding.status)
    return {key: frozenset(statuses) for key, statuses in out.items()}


def _status(statuses: frozenset[Status]) -> str:
    for status in (Status.FAILED, Status.UNKNOWN, Status.PASSED):
        if status in statuses:
            return status.value
    return "nothing"


def drift_of(item: LoadedInput, config: CheckerConfig, drifted_run: NativeRun) -> tuple[Drift, ...]:
    """The drift of `item` that turns a rule's verdict; `drifted_run` is the rules' run on
    its prior (refreshed) model."""
    from checker.engines.native import judge
    from checker.plan.prior import stored_model

    if item.prior is None or not item.drifted:
        return ()
    stored = judge(stored_model(item.prior, item.drifted), config, item.name)
    before, after = _verdicts(stored.findings), _verdicts(drifted_run.findings)
    turned = [key for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)]
    causes: dict[str, list[str]] = {}
    for rule, where in turned:
        text = (
            f"{rule} {where}: {_status(before.get((rule, where), frozenset()))} -> "
            f"{_status(after.get((rule, where), frozenset()))}"
        )
        for address in _causes(item, rule, where, stored, drifted_run):
            causes.setdefault(address, []).append(text)
    out: list[Drift] = []
    for address, (old, new) in sorted(item.drifted.items()):
        verdicts = tuple(causes.get(address, ()))
        if not verdicts:
            continue
        attributes = tuple(
            sorted(k for k in set(old) | set(new) if _value(old.get(k)) != _value(new.get(k)))
        )
        planned = item.model.instance(address)
        overwrites = planned is None or any(
            planned.values.get(name) != new.get(name) for name in attributes
        )
        out.append(Drift(address, attributes, "overwrites" if overwrites else "keeps", verdicts))
    return tuple(out)


def _value(value: object) -> object:
    """Empty collections and null are one "not set" (the refresh writes either)."""
    return None if value in ({}, [], "") else value


def _causes(
    item: LoadedInput, rule: str, where: str, stored: NativeRun, drifted: NativeRun
) -> list[str]:
    """The drifted resources that turned the verdict of `rule` on `where`: the one it judges
    when that drifted, else the drifted ones the rule read."""
    own = where.split(" ")[0]
    if own in item.drifted:
        return [own]
    read = stored.reads.get(rule, frozenset()) | drifted.reads.get(rule, frozenset())
    return sorted(address for address in item.drifted if address in read)
