"""The engines: one protocol, one registry read by the pipeline, the gate, coverage and the
installer.

An engine declares the input kinds it judges and turns loaded inputs into findings,
given the validated configuration (rule options included). Its module is imported only
when it runs: a native check never loads the code that drives checkov.

A new engine is a module with a class satisfying `Engine`, a name in
`checker.engines.names.EngineName` and a line in `engine` below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from checker.config import CheckerConfig
from checker.engines.names import EngineName
from checker.inputs import InputKind, LoadedInput
from checker.report.model import Finding
from checker.terminal import step


class Engine(Protocol):
    name: EngineName
    accepts: frozenset[InputKind]  # the kinds of input it judges; others are left to the rest

    def run(self, inputs: Sequence[LoadedInput], config: CheckerConfig) -> list[Finding]:
        """Findings of every input (one run for many where the engine is a program)."""
        ...


def engine(name: EngineName) -> Engine:
    match name:
        case EngineName.NATIVE:
            from checker.engines.native import NativeEngine

            return NativeEngine()
        case EngineName.CHECKOV:
            from checker.engines.checkov import CheckovEngine

            return CheckovEngine()
        case EngineName.COMPLIANCE:
            from checker.engines.compliance import ComplianceEngine

            return ComplianceEngine()


def run_engines(
    inputs: Sequence[LoadedInput], engines: Sequence[EngineName], config: CheckerConfig
) -> list[Finding]:
    """Every engine over the inputs of the kinds it accepts."""
    findings: list[Finding] = []
    for name in engines:
        chosen = engine(name)
        accepted = [i for i in inputs if i.kind in chosen.accepts]
        step(f"running {name} on {len(accepted)} input{'s' if len(accepted) != 1 else ''}")
        findings.extend(chosen.run(accepted, config))
    return findings
