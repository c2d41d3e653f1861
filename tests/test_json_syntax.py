"""JSON configuration syntax (`*.tf.json`, what CDK for Terraform writes) read everywhere `.tf` is.

The canonical stack `tap_stack.tf` is converted to JSON syntax the way cdktf writes it
(`to_json_syntax`: one object per single nested block, arrays for repeated ones, references
as `"${...}"` templates, `"//"` metadata in every resource body) and must give the same
verdicts as the HCL stack in static mode, from a real plan with its sources bound, and from
the plan alone; so must every mutation of `tests/mutations.py` in static mode, and the
PITR mutation in every mode. Terraform's rules followed: developer.hashicorp.com
"JSON Configuration Syntax" and hashicorp/hcl `json/spec.md`.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.plan.values import Unknown
from checker.report.model import Finding
from checker.run import CheckOptions, check_inputs
from checker.source.raw import split_template
from tests.mutations import MUTATIONS
from tests.support.mutate import Mutation
from tests.support.scenario import CONFIG, failed
from tests.terraform.fixtures import canonical_inputs, mutation_inputs
from tests.terraform.harness import MotoServer, Workspace, build_mirror, require_terraform

ROOT = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------- HCL -> JSON syntax (cdktf)


def _heredoc(raw: str) -> str:
    """A heredoc's template (`<<-` strips the common indentation; no backslash escapes)."""
    head, _, rest = raw.partition("\n")
    lines = rest.split("\n")[:-1]  # the closing marker's line goes
    if head.startswith("<<-"):
        indent = min((len(x) - len(x.lstrip(" ")) for x in lines if x.strip()), default=0)
        lines = [x[indent:] for x in lines]
    return "".join(f"{x}\n" for x in lines)


def _string(raw: str) -> str:
    """A python-hcl2 value (quoted template, `${expr}`, heredoc, bare word) as a JSON string."""
    if raw.startswith("${") and raw.endswith("}") and not raw.startswith('"'):
        return raw
    if raw.startswith('"<<'):  # python-hcl2 keeps a heredoc as written, in quotes
        return _heredoc(raw[1:-1])
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        out: list[str] = []
        for kind, piece in split_template(raw[1:-1]):
            if kind == "text":
                out.append(piece.replace("${", "$${").replace("%{", "%%{"))
            else:
                out.append(("${" if kind == "expr" else "%{") + piece + "}")
        return "".join(out)
    return raw


def _literal_string(raw: str) -> str:
    """A literal (a variable's default): the string's value, no template."""
    return "".join(piece for _, piece in split_template(raw[1:-1])) if raw[:1] == '"' else raw


def _is_blocks(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and item.get("__is_block__") for item in value)
    )


def _value(raw: Any, literal: bool = False) -> Any:
    if isinstance(raw, str):
        return _literal_string(raw) if literal else _string(raw)
    if isinstance(raw, list):
        return [_value(item, literal) for item in raw]
    if isinstance(raw, dict):
        return {_unquote(k): _value(v, literal) for k, v in raw.items() if k != "__is_block__"}
    return raw


def _unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def _reference(raw: str) -> str:
    return raw[2:-1] if raw.startswith("${") else raw


def _body(raw: dict[str, Any]) -> dict[str, Any]:
    """A block body: single nested blocks as objects, repeated ones as arrays (cdktf)."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "__is_block__":
            continue
        if key == "depends_on":
            out[key] = [_reference(item) for item in value]
        elif key == "provider":
            out[key] = _reference(value)
        elif _is_blocks(value):
            bodies = [_body(item) for item in value]
            out[key] = bodies[0] if len(bodies) == 1 else bodies
        else:
            out[key] = _value(value)
    return out


def to_json_syntax(text: str) -> dict[str, Any]:
    """A native-syntax file as cdktf would write the same configuration in JSON syntax."""
    import hcl2
    from hcl2 import SerializationOptions

    options = SerializationOptions(with_comments=False, preserve_heredocs=True)
    parsed = hcl2.loads(text, serialization_options=options)
    out: dict[str, Any] = {
        "//": {"metadata": {"backend": "local", "stackName": "tap", "version": "0.20.11"}}
    }
    for kind in ("resource", "data"):
        for entry in parsed.get(kind, []):
            for type_key, named in entry.items():
                for name_key, body in named.items():
                    type_, name = _unquote(type_key), _unquote(name_key)
                    converted = {
                        "//": {"metadata": {"path": f"tap/{name}", "uniqueId": name}},
                        **_body(body),
                    }
                    out.setdefault(kind, {}).setdefault(type_, {})[name] = converted
    for entry in parsed.get("variable", []):
        for name_key, body in entry.items():
            variable: dict[str, Any] = {}
            for key, value in body.items():
                if key == "type":
                    variable[key] = _reference(value)
                elif key in ("default", "description"):
                    variable[key] = _value(value, literal=True)
                elif key != "__is_block__":
                    variable[key] = _value(value)
            out.setdefault("variable", {})[_unquote(name_key)] = variable
    for entry in parsed.get("locals", []):
        out.setdefault("locals", {}).update(_body(entry))
    for entry in parsed.get("output", []):
        for name_key, body in entry.items():
            out.setdefault("output", {})[_unquote(name_key)] = _body(body)
    for entry in parsed.get("provider", []):
        for name_key, body in entry.items():
            out.setdefault("provider", {}).setdefault(_unquote(name_key), []).append(_body(body))
    for entry in parsed.get("terraform", []):
        terraform = _body(entry)
        terraform["required_providers"] = _value(entry["required_providers"][0])
        out["terraform"] = terraform
    return out


def write_json_stack(folder: Path, mutation: Mutation | None = None) -> Path:
    """The (mutated) canonical stack in JSON syntax: `tap_stack.tf.json` and `lambda/`."""
    inputs = canonical_inputs() if mutation is None else mutation_inputs(mutation.id)
    inputs.write(folder)
    tf = folder / "tap_stack.tf"
    document = to_json_syntax(tf.read_text(encoding="utf-8"))
    (folder / "tap_stack.tf.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    tf.unlink()
    return folder


def check_dir(folder: Path) -> list[Finding]:
    return check_inputs([str(folder)], CheckOptions(), CONFIG).findings


def verdicts(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.rule_id, f.address, f.status) for f in findings}


# ------------------------------------------------------------------------- static mode


@pytest.mark.fast
def test_the_json_stack_passes_in_static_mode_like_the_hcl_stack(tmp_path: Path) -> None:
    hcl = canonical_inputs().write(tmp_path / "hcl")
    json_stack = write_json_stack(tmp_path / "json")
    found = check_dir(json_stack)
    assert {f.status for f in found} == {"passed"}, [f for f in found if f.status != "passed"]
    assert verdicts(found) == verdicts(check_dir(hcl))
    located = {f.address: (f.file, f.line) for f in found if f.file}
    assert located["aws_dynamodb_table.main"][0].endswith("tap_stack.tf.json")
    text = (json_stack / "tap_stack.tf.json").read_text().splitlines()
    line = located["aws_dynamodb_table.main"][1]
    assert text[line - 1].strip() == '"main": {' and '"aws_dynamodb_table"' in text[line - 2]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_every_mutation_fails_in_json_syntax_as_in_hcl(mutation: Mutation, tmp_path: Path) -> None:
    found = check_dir(write_json_stack(tmp_path, mutation))
    expected = {
        (rule, address) for rule, addresses in mutation.fails.items() for address in addresses
    }
    assert failed(found) == expected


@pytest.mark.fast
def test_a_directory_of_json_syntax_only_is_not_refused(tmp_path: Path) -> None:
    """Before: exit 2, "no resource or data blocks in its .tf files"."""
    from typer.testing import CliRunner

    from checker.cli import app

    (tmp_path / "main.tf.json").write_text(json.dumps(TABLE_STACK), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(tmp_path), "--format", "json"])
    report = json.loads(result.stdout)
    assert report["inputs"][0]["kind"] == "hcl"
    assert ("TAP010", "aws_dynamodb_table.t", "passed") in {
        (f["rule_id"], f["address"], f["status"]) for f in report["findings"]
    }


@pytest.mark.fast
def test_unparsable_json_names_the_file_line_and_column(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from checker.cli import app

    (tmp_path / "main.tf.json").write_text('{\n  "resource": {\n    "x": [1,]\n}\n', "utf-8")
    result = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "main.tf.json: JSON does not parse at line 3, column 13" in result.stderr


# --------------------------------------------------------------- the syntax, as Terraform


TABLE_STACK: dict[str, Any] = {
    "resource": {
        "aws_dynamodb_table": {
            "t": {
                "name": "t",
                "hash_key": "id",
                "billing_mode": "PAY_PER_REQUEST",
                "attribute": [{"name": "id", "type": "S"}],
                "point_in_time_recovery": {"enabled": True},
            }
        }
    }
}


def _static(tmp_path: Path, document: dict[str, Any] | str, name: str = "main.tf.json") -> Any:
    from checker.source.static_model import build_static_model

    text = document if isinstance(document, str) else json.dumps(document)
    (tmp_path / name).write_text(text, encoding="utf-8")
    return build_static_model(tmp_path)


# Templates in JSON strings, and the exceptions to them, with the value Terraform 1.11 plans
# for each (a real plan of this file: `test_static_values_are_what_terraform_plans`).
TEMPLATES: dict[str, tuple[Any, Any]] = {
    "plain": ("plain-literal", "plain-literal"),
    "single": ("${var.region}", "us-east-1"),
    "template": ("logs.${var.region}.amazonaws.com", "logs.us-east-1.amazonaws.com"),
    "escaped": ("$${lit}-${var.region}", "${lit}-us-east-1"),
    "function": ('${upper("x")}', "X"),
    "quotes": ('a "quoted" \\ back${"slash"}', 'a "quoted" \\ backslash'),
    "newline": ("two\nlines ${var.region}", "two\nlines us-east-1"),
    "directive": ('%{ if var.region == "us-east-1" }east%{ else }other%{ endif }', "east"),
    "number": ("${1 + 2}", "3"),
}
UNEVALUATED = {"directive"}  # the evaluator leaves `%{...}` unknown in both syntaxes


def _probe_stack() -> dict[str, Any]:
    tags = {key: spelled for key, (spelled, _) in TEMPLATES.items()}
    return {
        "//": "made by a generator",
        "variable": {
            "region": {"type": "string", "default": "us-east-1"},
            "literal": {"type": "string", "default": "${not.a.template}"},
        },
        "locals": {"prefix": "b-${var.region}"},
        "resource": {
            "aws_s3_bucket": {
                "probe": {
                    "//": ["a comment", "another"],
                    "bucket": "${local.prefix}",
                    "force_destroy": '${var.region == "us-east-1"}',
                    "tags": {**tags, "${var.region}": "keyed", "literal": "${var.literal}"},
                }
            }
        },
    }


@pytest.mark.fast
def test_json_strings_are_templates_as_terraform_evaluates_them(tmp_path: Path) -> None:
    model = _static(tmp_path, _probe_stack())
    (bucket,) = model.resources("aws_s3_bucket")
    assert bucket.get("bucket") == "b-us-east-1"
    assert bucket.get("force_destroy") is True  # one interpolation: the value, unconverted
    tags = bucket.get("tags")
    assert isinstance(tags, dict)
    for key, (_, planned) in TEMPLATES.items():
        if key in UNEVALUATED:  # template directives: unknown, never a wrong value
            assert isinstance(tags[key], Unknown), key
        else:
            assert str(tags[key]) == planned, key
    assert tags["literal"] == "${not.a.template}"  # a variable's default is literal JSON


@pytest.mark.fast
def test_blocks_labels_arrays_and_comment_properties(tmp_path: Path) -> None:
    """Label levels and bodies as arrays of objects, null bodies, `"//"` ignored in bodies."""
    document = {
        "//": {"metadata": {"version": "0.20"}},
        "resource": [
            {"aws_dynamodb_table": [{"a": TABLE_STACK["resource"]["aws_dynamodb_table"]["t"]}]},
            {"aws_dynamodb_table": {"b": [{"//": "x", "name": "b", "hash_key": "id"}]}},
            {"aws_s3_bucket": {"gone": None}},
        ],
        "provider": {"aws": [{"region": "eu-west-1"}, {"alias": "dr", "region": "eu-west-2"}]},
    }
    model = _static(tmp_path, document)
    tables = {t.address: t for t in model.resources("aws_dynamodb_table")}
    assert set(tables) == {"aws_dynamodb_table.a", "aws_dynamodb_table.b"}
    assert tables["aws_dynamodb_table.a"].get("point_in_time_recovery") == [{"enabled": True}]
    assert tables["aws_dynamodb_table.a"].get("attribute") == [{"name": "id", "type": "S"}]
    assert "//" not in tables["aws_dynamodb_table.b"].values
    assert model.resources("aws_s3_bucket") == []
    assert model.region == "eu-west-1" and model.provider_regions["aws.dr"] == "eu-west-2"


@pytest.mark.fast
def test_nested_blocks_follow_the_provider_schema(tmp_path: Path) -> None:
    """An object is a nested block (`environment`) or an object argument (`variables`,
    `tags`) as the aws provider's schema says; meta-arguments keep their own mappings."""
    document = {
        "resource": {
            "aws_lambda_function": {
                "f": {
                    "function_name": "f",
                    "role": "${aws_iam_role.r.arn}",
                    "environment": {"variables": {"TABLE": "t"}},
                    "tags": {"environment": "dev"},
                    "depends_on": ["aws_iam_role.r"],
                    "lifecycle": {"ignore_changes": ["tags"], "create_before_destroy": True},
                    "dynamic": {
                        "vpc_config": {
                            "for_each": "${[1]}",
                            "content": {"subnet_ids": ["s"], "security_group_ids": ["g"]},
                        }
                    },
                }
            },
            "aws_iam_role": {"r": {"name": "r", "assume_role_policy": "{}"}},
        }
    }
    model = _static(tmp_path, document)
    (function,) = model.resources("aws_lambda_function")
    assert function.get("environment") == [{"variables": {"TABLE": "t"}}]
    assert function.get("tags") == {"environment": "dev"}
    assert function.get("vpc_config") == [{"subnet_ids": ["s"], "security_group_ids": ["g"]}]
    assert function.config is not None
    assert function.config.depends_on == ("aws_iam_role.r",)
    assert model.source is not None
    assert model.source.block(function) is not None


@pytest.mark.fast
def test_a_type_outside_the_known_schemas_is_read_with_a_note(tmp_path: Path) -> None:
    document = {"resource": {"google_storage_bucket": {"b": {"labels": {"a": "b"}}}}}
    document["resource"].update(TABLE_STACK["resource"])
    model = _static(tmp_path, document)
    assert model.source is not None
    assert any("google_storage_bucket" in note for note in model.source.notes)


@pytest.mark.fast
def test_tfvars_json_in_terraforms_order(tmp_path: Path) -> None:
    document = {**TABLE_STACK, "variable": {"env": {"default": "dev"}, "tier": {}}}
    (tmp_path / "terraform.tfvars").write_text('env = "hcl"\ntier = "a"\n', encoding="utf-8")
    (tmp_path / "terraform.tfvars.json").write_text('{"//": "c", "env": "json"}', "utf-8")
    (tmp_path / "b.auto.tfvars").write_text('tier = "b"\n', encoding="utf-8")
    (tmp_path / "c.auto.tfvars.json").write_text('{"tier": "${c}"}', encoding="utf-8")
    model = _static(tmp_path, document)
    assert model.variables == {"env": "json", "tier": "${c}"}  # literal: not a template


@pytest.mark.fast
def test_child_modules_and_overrides_in_json_syntax(tmp_path: Path) -> None:
    """A JSON-syntax module called from native syntax, and override files of both syntaxes."""
    (tmp_path / "main.tf").write_text(
        'module "data" {\n  source = "./data"\n}\n'
        'resource "aws_dynamodb_table" "root" {\n  name = "r"\n  hash_key = "id"\n'
        "  point_in_time_recovery {\n    enabled = true\n  }\n}\n",
        encoding="utf-8",
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "main.tf.json").write_text(json.dumps(TABLE_STACK), "utf-8")
    override = {"resource": {"aws_dynamodb_table": {"t": {"point_in_time_recovery": []}}}}
    (tmp_path / "data" / "override.tf.json").write_text(json.dumps(override), "utf-8")
    root_override = {
        "resource": {"aws_dynamodb_table": {"root": {"point_in_time_recovery": {"enabled": False}}}}
    }
    (tmp_path / "zz_override.tf.json").write_text(json.dumps(root_override), "utf-8")
    found = check_dir(tmp_path)
    assert failed(found) == {
        ("TAP010", "aws_dynamodb_table.root"),
        ("TAP010", "module.data.aws_dynamodb_table.t"),
    }


@pytest.mark.fast
def test_changed_json_syntax_files_stand_for_their_stack(tmp_path: Path) -> None:
    from checker.changed import inputs_of_changes

    (tmp_path / "main.tf.json").write_text("{}", encoding="utf-8")
    changed = [str(tmp_path / "main.tf.json"), str(tmp_path / "prod.tfvars.json")]
    assert inputs_of_changes(changed, ()) == [str(tmp_path)]


# ------------------------------------------------------------ "//" inline suppressions


def _pitr_off(tmp_path: Path, comment: Any) -> Path:
    """The PITR mutation in JSON syntax, the table's `"//"` property set to `comment`."""
    mutation = next(m for m in MUTATIONS if m.id == "tap010-pitr-disabled")
    folder = write_json_stack(tmp_path, mutation)
    path = folder / "tap_stack.tf.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["resource"]["aws_dynamodb_table"]["main"]["//"] = comment
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return folder


@pytest.mark.fast
def test_a_comment_property_suppresses_like_a_comment(tmp_path: Path) -> None:
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    text = f'checker:ignore TAP010 reason="restored from backups" expires={later}'
    for name, comment in (
        ("string", text),
        ("array", ["generated by cdktf", text]),
        ("cdktf-override", {"metadata": {"path": "tap/main"}, "checker": text}),
    ):
        found = check_dir(_pitr_off(tmp_path / name, comment))
        (pitr,) = [f for f in found if f.rule_id == "TAP010"]
        assert pitr.status == "waived" and "restored from backups" in pitr.waiver, name
        assert "tap_stack.tf.json:" in pitr.waiver


@pytest.mark.fast
def test_an_expired_or_malformed_comment_property(tmp_path: Path) -> None:
    text = "checker:ignore TAP010 reason=old expires=2020-01-01"
    found = check_dir(_pitr_off(tmp_path / "expired", text))
    assert ("TAP010", "aws_dynamodb_table.main") in failed(found)
    from checker.errors import InputError

    with pytest.raises(InputError, match="checker:ignore lacks expires"):
        check_dir(_pitr_off(tmp_path / "bad", ["metadata", "checker:ignore TAP010 reason=x"]))


@pytest.mark.fast
def test_a_comment_key_inside_an_argument_is_not_a_comment(tmp_path: Path) -> None:
    """In an object read as an expression, `"//"` is an ordinary key (Terraform's rule)."""
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    mutation = next(m for m in MUTATIONS if m.id == "tap010-pitr-disabled")
    folder = write_json_stack(tmp_path, mutation)
    path = folder / "tap_stack.tf.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    table = document["resource"]["aws_dynamodb_table"]["main"]
    table["tags"] = {"//": f"checker:ignore TAP010 reason=x expires={later}"}
    path.write_text(json.dumps(document), encoding="utf-8")
    found = check_dir(folder)
    assert ("TAP010", "aws_dynamodb_table.main") in failed(found)


# ------------------------------------------------- constant values in a plan (JSON syntax)

# What Terraform 1.11 writes in a plan's `configuration` (a real plan, made with the
# harness, of the same attributes in a .tf.json file and in a .tf file).
JSON_TEMPLATE = {"constant_value": "b-${var.region}", "references": ["var.region"]}
JSON_FUNCTION = {"constant_value": '${upper("x")}'}
JSON_ESCAPE = {"constant_value": {"L": "$${lit}"}}
NATIVE_ESCAPE = {"constant_value": "${literal}-x"}  # written `"$${literal}-x"` in a .tf file
NATIVE_REFERENCE = {"references": ["var.region"]}
NATIVE_FUNCTION: dict[str, Any] = {}  # upper("x") in a .tf file


@pytest.mark.fast
@pytest.mark.parametrize(
    ("expressions", "attribute", "expected"),
    [
        ({"bucket": JSON_TEMPLATE}, "bucket", {"references": ["var.region"]}),
        (
            {"bucket": JSON_TEMPLATE, "tags": JSON_ESCAPE},
            "tags",
            {"constant_value": {"L": "${lit}"}},
        ),
        ({"bucket": JSON_TEMPLATE, "key": JSON_FUNCTION}, "key", {}),
        ({"bucket": NATIVE_REFERENCE, "b": NATIVE_ESCAPE}, "b", NATIVE_ESCAPE),
        ({"f": NATIVE_FUNCTION, "b": NATIVE_ESCAPE}, "b", NATIVE_ESCAPE),
        ({"b": {"constant_value": "plain"}}, "b", {"constant_value": "plain"}),
        ({"b": NATIVE_ESCAPE}, "b", {"references": [], "checker:template": "${literal}-x"}),
        ({"rule": [{"k": JSON_TEMPLATE}], "b": JSON_ESCAPE}, "rule", [{"k": NATIVE_REFERENCE}]),
    ],
    ids=[
        "json-template-with-references",
        "json-escape",
        "json-function-only",
        "native-escape-beside-a-reference",
        "native-escape-beside-a-function",
        "plain-constant",
        "syntax-untold",
        "nested-block",
    ],
)
def test_plan_constants_read_as_the_syntax_that_wrote_them(
    expressions: dict[str, Any], attribute: str, expected: Any
) -> None:
    from checker.plan.build import _block_syntax, _native_body

    syntax = _block_syntax([expressions])
    assert _native_body(expressions, syntax)[attribute] == expected


@pytest.mark.fast
def test_an_untold_template_constant_is_unknown_with_its_text() -> None:
    from checker.plan.build import build_model
    from checker.plan.values import Unknown

    plan = _plan_with({"user_data": {"constant_value": "echo ${HOME}"}})
    model = build_model(plan)
    (instance,) = model.resources("aws_instance")
    written = model.written(instance, "user_data")
    assert isinstance(written, Unknown) and written.expression == '"echo ${HOME}"'


def _plan_with(expressions: dict[str, Any]) -> Any:
    from checker.plan.models import PlanDocument

    return PlanDocument.model_validate(
        {
            "format_version": "1.2",
            "terraform_version": "1.11.4",
            "resource_changes": [
                {
                    "address": "aws_instance.i",
                    "mode": "managed",
                    "type": "aws_instance",
                    "name": "i",
                    "change": {"actions": ["create"], "before": None, "after": {}},
                }
            ],
            "configuration": {
                "provider_config": {
                    "aws": {
                        "name": "aws",
                        "expressions": {
                            "region": {
                                "constant_value": "${var.region}",
                                "references": ["var.region"],
                            }
                        },
                    }
                },
                "root_module": {
                    "resources": [
                        {
                            "address": "aws_instance.i",
                            "mode": "managed",
                            "type": "aws_instance",
                            "name": "i",
                            "expressions": expressions,
                        }
                    ]
                },
            },
            "variables": {"region": {"value": "eu-west-1"}},
        }
    )


@pytest.mark.fast
def test_a_json_syntax_provider_region_is_the_template_evaluated() -> None:
    """Before: the region was the text `${var.region}` (a false TAP003 expecting
    `logs.${var.region}.amazonaws.com`)."""
    from checker.plan.build import build_model

    model = build_model(_plan_with({}))
    assert model.region == "eu-west-1"


# ------------------------------------------------------------------------ real Terraform


@pytest.fixture(scope="module")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, MotoServer]]:
    """Terraform, the provider mirror and moto (`tests/terraform/harness.py`); in CI
    (`CI=true`) a missing piece fails the test, never skips it."""
    require_terraform()
    home = tmp_path_factory.mktemp("terraform-home")
    cli = build_mirror(home)
    moto = MotoServer()
    moto.start(home / "moto.log")
    try:
        yield cli, moto
    finally:
        moto.stop()


def _plan(terraform: tuple[Path, MotoServer], folder: Path) -> dict[str, Any]:
    workspace = Workspace(folder, *terraform)
    workspace.init()
    plan = workspace.plan()
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    return plan


def _planned(plan: dict[str, Any]) -> dict[str, Any]:
    resources = plan["planned_values"]["root_module"].get("resources", [])
    return {r["address"]: r.get("values", {}) for r in resources}


def _three_modes(folder: Path, plan_file: Path) -> dict[str, set[tuple[str, str, str]]]:
    """Verdicts from the plan with `folder` bound, from the plan alone, and of `folder` static."""
    alone = folder.parent / f"{folder.name}-alone"
    alone.mkdir()
    shutil.copyfile(plan_file, alone / "plan.json")
    bound = check_inputs([str(plan_file)], CheckOptions(source=folder), CONFIG)
    assert any("HCL sources from" in note for note in bound.inputs[0].notes), bound.inputs
    bare = type(CONFIG)(rule_options=CONFIG.rule_options)
    return {
        "bound": verdicts(bound.findings),
        "alone": verdicts(check_inputs([str(alone / "plan.json")], CheckOptions(), bare).findings),
        "static": verdicts(check_dir(folder)),
    }


@pytest.mark.parametrize("mutation_id", ["", "tap010-pitr-disabled"], ids=["clean", "pitr-off"])
def test_a_real_plan_of_the_json_stack_gives_the_hcl_verdicts_in_every_mode(
    terraform: tuple[Path, MotoServer], mutation_id: str, tmp_path: Path
) -> None:
    from tests.support.scenario import write_scenario
    from tests.terraform.fixtures import CREATE_FIXTURE, REAL, read_plan

    mutation = next((m for m in MUTATIONS if m.id == mutation_id), None)
    json_stack = write_json_stack(tmp_path / "json", mutation)
    plan = _plan(terraform, json_stack)
    (json_stack / "zz_moto_override.tf").unlink()  # the harness's, not the stack's
    hcl_plan = read_plan(
        CREATE_FIXTURE if mutation is None else REAL / f"{mutation_id}.create.json.gz"
    )
    planned, hcl_planned = _planned(plan), _planned(hcl_plan)
    for values in (planned, hcl_planned):
        values["aws_instance.proof"].pop("ami")  # moto's AMI list differs between runs
    assert planned == hcl_planned  # the conversion is faithful: Terraform plans the same

    hcl = tmp_path / "hcl"
    hcl.mkdir()
    write_scenario(hcl, mutation)
    hcl_plan_file = hcl / "plans" / "plan.json"
    hcl_plan_file.parent.mkdir()
    shutil.move(hcl / "plan.json", hcl_plan_file)
    ours = _three_modes(json_stack, json_stack / "plan.json")
    theirs = _three_modes(hcl, hcl_plan_file)
    assert ours == theirs
    if mutation is None:
        assert {status for _, _, status in ours["bound"] | ours["static"]} == {"passed"}
        assert ("TAP003", "aws_kms_key.main", "passed") in ours["alone"]  # was a false failure
    else:
        for mode, found in ours.items():
            assert ("TAP010", "aws_dynamodb_table.main", "failed") in found, mode


def test_static_values_are_what_terraform_plans(
    terraform: tuple[Path, MotoServer], tmp_path: Path
) -> None:
    """The templates of `TEMPLATES` as Terraform plans them, as static mode evaluates them,
    and a `constant_value` of JSON syntax in the plan read as a template."""
    from checker.plan.build import build_model
    from checker.plan.models import PlanDocument

    document = {**_probe_stack(), "provider": {"aws": {"region": "${var.region}"}}}
    (tmp_path / "main.tf.json").write_text(json.dumps(document), encoding="utf-8")
    plan = _plan(terraform, tmp_path)
    (tmp_path / "zz_moto_override.tf").unlink()
    planned = _planned(plan)["aws_s3_bucket.probe"]
    assert planned["tags"] == {
        **{key: value for key, (_, value) in TEMPLATES.items()},
        "us-east-1": "keyed",
        "literal": "${not.a.template}",
    }
    assert planned["bucket"] == "b-us-east-1" and planned["force_destroy"] is True
    static = _static(tmp_path, document).resources("aws_s3_bucket")[0]
    assert static.get("bucket") == planned["bucket"]
    tags = static.get("tags")
    assert isinstance(tags, dict)
    for key, value in planned["tags"].items():
        if key not in UNEVALUATED and key != "us-east-1":  # keys are not evaluated
            assert str(tags[key]) == value, key
    configuration = plan["configuration"]["root_module"]["resources"][0]["expressions"]
    assert configuration["bucket"] == {
        "constant_value": "${local.prefix}",
        "references": ["local.prefix"],
    }  # what Terraform writes for a JSON-syntax template
    model = build_model(PlanDocument.model_validate(plan))
    assert model.region == "us-east-1"
    (bucket,) = model.resources("aws_s3_bucket")
    assert bucket.expression("bucket").references == ("local.prefix",)
    assert not bucket.expression("bucket").has_constant


def test_the_shipped_block_schema_is_the_real_providers(
    terraform: tuple[Path, MotoServer], tmp_path: Path
) -> None:
    """`provider_schema.json.gz` is `terraform providers schema -json` of the mirror's
    providers (regenerate: `python -m checker.core.provider_schema SCHEMA.json`)."""
    from checker.core.provider_schema import (
        _schema,
        compact_schema,
        write_only_attributes,
        write_only_schema,
    )

    (tmp_path / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n'
        '    archive = { source = "hashicorp/archive" }\n  }\n}\n'
        'provider "aws" {\n  region = "us-east-1"\n}\n',
        encoding="utf-8",
    )
    workspace = Workspace(tmp_path, *terraform)
    workspace.init()
    document = json.loads(workspace.run("providers", "schema", "-json"))
    assert compact_schema(document) == _schema()
    shipped = {type_: sorted(paths) for type_, paths in write_only_attributes().items()}
    assert write_only_schema(document) == shipped
    assert shipped["aws_ssm_parameter"] == ["value_wo"]  # Terraform 1.11 write-only arguments
