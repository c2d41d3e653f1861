"""The value model rules read: known, `Unknown`, None; settled from sources; read-only."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from checker.plan.build import build_model
from checker.plan.load import load_plan
from checker.plan.model import PlanModel
from checker.plan.values import (
    UNKNOWN,
    Unknown,
    Value,
    as_list,
    is_known,
    name_unknowns,
    refs_in,
    text_of,
)
from checker.source.bind import bind_source
from checker.source.files import source_files
from checker.source.hcl import load_module
from checker.source.tree import SourceTree

pytestmark = pytest.mark.fast

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "tests/fixtures/plans/tap_stack.plan.json"


def _model() -> PlanModel:
    return build_model(load_plan(str(PLAN)).document)


def _with_sources(model: PlanModel) -> PlanModel:
    tree, why = bind_source(load_module(ROOT, source_files(ROOT, None)), model)
    assert isinstance(tree, SourceTree), why
    return model.with_source(tree)


def test_unknown_keeps_its_shape_and_says_what_hides_it() -> None:
    arn = Unknown.of_reference("aws_s3_bucket.b.arn")
    objects = Unknown.of_template((arn, "/*"))
    call = Unknown.of_expression('jsonencode({ a = "b" })', ("var.x",))
    assert objects.refs == ("aws_s3_bucket.b.arn",)
    assert objects.text() == "${aws_s3_bucket.b.arn}/*"
    assert call.text() == '${jsonencode({ a = "b" })}'
    assert arn.describe() == "known after apply (from aws_s3_bucket.b.arn)"
    assert UNKNOWN.describe() == "known after apply"
    assert text_of(objects) == "${aws_s3_bucket.b.arn}/*"


def test_known_means_nothing_hidden_anywhere() -> None:
    nested: Value = {"a": [1, {"b": UNKNOWN}]}
    assert not is_known(nested)
    assert is_known({"a": [1, {"b": None}]})
    assert as_list(None) == [] and as_list("x") == ["x"] and as_list([1]) == [1]


def test_hidden_elements_name_the_attribute_references() -> None:
    value: Value = ["s3:GetObject", UNKNOWN, Unknown.of_reference("var.other")]
    named = name_unknowns(value, ("aws_kms_alias.a.arn",))
    assert named == [
        "s3:GetObject",
        Unknown(refs=("aws_kms_alias.a.arn",)),
        Unknown.of_reference("var.other"),
    ]
    assert refs_in(named) == ("aws_kms_alias.a.arn", "var.other")


def test_settle_names_references_from_the_plan_and_shapes_from_sources() -> None:
    plain = _model()
    permission = plain.instance("aws_lambda_permission.api")
    assert permission is not None
    assert permission.get("source_arn") == UNKNOWN
    from_plan = plain.settle(permission, "source_arn")
    assert isinstance(from_plan, Unknown)
    assert from_plan.refs == (
        "aws_api_gateway_rest_api.main.execution_arn",
        "aws_api_gateway_rest_api.main",
    )
    assert from_plan.parts is None  # the plan keeps references, not the template

    bound = _with_sources(plain)
    settled = bound.settle(permission, "source_arn")
    assert isinstance(settled, Unknown)
    assert settled.parts == (
        Unknown.of_reference("aws_api_gateway_rest_api.main.execution_arn"),
        "/*/POST/process",
    )
    # a value the plan knows is the plan's, sources or not
    table = bound.resources("aws_dynamodb_table")[0]
    assert bound.settle(table, "billing_mode") == table.get("billing_mode") == "PAY_PER_REQUEST"


def test_written_prefers_the_configuration_over_the_stored_form() -> None:
    bound = _with_sources(_model())
    instance = bound.resources("aws_instance")[0]
    stored = instance.get("user_data")
    written = bound.written(instance, "user_data")
    assert isinstance(written, str | Unknown)
    assert text_of(written).startswith("#!") and text_of(written) != stored


def test_the_model_is_read_only_and_views_are_computed_once() -> None:
    model = _model()
    inst = model.instances[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.source = None  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        inst.action = "delete"  # type: ignore[misc]
    calls: list[int] = []

    def build(m: PlanModel) -> int:
        calls.append(1)
        return len(m.instances)

    assert model.view(build) == model.view(build) == len(model.instances)
    assert calls == [1]
    bound = _with_sources(model)
    assert model.source is None and bound.source is not None  # binding makes a new model


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "checker/rules").glob("*.py"))
    + sorted((ROOT / "examples/rule-pack/acme_rules").glob("*.py")),
    ids=lambda p: p.name,
)
def test_rules_never_import_the_source_evaluator(path: Path) -> None:
    assert not {m for m in _imports(path) if m.startswith("checker.source")}
