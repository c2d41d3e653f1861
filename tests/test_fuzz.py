"""Property: any mutation of a valid plan is either reported or refused with exit 2 and
one or two clear lines; never a traceback, never exit 0 for input that could not be read."""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from checker.cli import app
from tests.fuzzing import check_bytes, mutate, serialise
from tests.support.shapes import SHAPES

RUNNER = CliRunner()
BASES = {
    name: SHAPES[name]()
    for name in ("format_0_1", "format_1_2", "module_count", "deleted_replaced_moved_forgotten")
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(sorted(BASES)),
    seed=st.integers(min_value=0, max_value=2**32),
    count=st.integers(min_value=1, max_value=6),
)
def test_mutated_plans_are_reported_or_refused_through_the_cli(
    base: str, seed: int, count: int
) -> None:
    rng = random.Random(seed)
    data = serialise(mutate(BASES[base], rng, count), rng)
    result = RUNNER.invoke(
        app, ["check", "-", "--format", "json", "--config", "/dev/null"], input=data
    )
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert 1 <= len(lines) <= 2 and lines[0].startswith("error: "), result.stderr
        assert result.stdout == ""
    else:
        assert result.exit_code in (0, 1), (result.exit_code, result.stderr)
        report = json.loads(result.stdout)  # exit 0/1 only with a readable, complete report
        assert report["inputs"][0]["path"] == "-"
        assert report["summary"]["errors"] == 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32), count=st.integers(min_value=1, max_value=8))
def test_engine_never_crashes_on_mutated_plans(seed: int, count: int) -> None:
    rng = random.Random(seed)
    base = BASES[rng.choice(sorted(BASES))]
    assert check_bytes(serialise(mutate(base, rng, count), rng)) in ("report", "refused")


@given(data=st.binary(max_size=2000))
@settings(max_examples=200, deadline=None)
def test_arbitrary_bytes_are_refused_cleanly(data: bytes) -> None:
    assert check_bytes(data) in ("report", "refused")


def test_regressions_found_by_the_long_fuzzing_run() -> None:
    """Scalars where Terraform writes lists or objects crashed the model (seeds 7268, 32619, ...)."""
    plan = json.loads(json.dumps(BASES["format_1_2"]))
    plan["configuration"]["provider_config"]["aws"]["expressions"]["region"]["references"] = 5
    plan["configuration"]["root_module"]["resources"][0]["expressions"]["bucket"] = {
        "references": True
    }
    plan["configuration"]["root_module"]["outputs"]["stack_name"] = {
        "expression": [1],
        "sensitive": True,
    }
    assert check_bytes(json.dumps(plan).encode()) == "report"
