"""The loader refuses what is not a plan with exit 2 and one clear line; it reads every encoding."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from tests.support.canonical_stack import FIXTURE

pytestmark = pytest.mark.fast

RUNNER = CliRunner()
PLAN_TEXT = FIXTURE.read_text(encoding="utf-8")


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, ["check", *args, "--format", "json"], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def refused(path: Path, *expected: str) -> str:
    code, out, err = run(str(path))
    assert code == 2, (code, out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith("error: ")
    for text in expected:
        assert text in err
    return err


def test_binary_plan_says_to_run_terraform_show(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tfplan", b"\x00binary")
    plan = tmp_path / "tfplan"
    plan.write_bytes(buffer.getvalue())
    refused(plan, "binary plan file", "terraform show -json")


def test_state_file_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "terraform.tfstate"
    state.write_text(json.dumps({"version": 4, "serial": 3, "lineage": "x", "resources": []}))
    refused(state, "state file")


def test_show_json_of_a_state_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"format_version": "1.0", "values": {"root_module": {}}}))
    refused(state, "of a state, not of a plan")


@pytest.mark.parametrize(
    "document",
    [{"name": "package.json"}, [1, 2, 3], "a string", {"format_version": "1.2"}],
)
def test_non_plan_json_is_refused(tmp_path: Path, document: object) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(document))
    refused(path, "not a Terraform plan")


@pytest.mark.parametrize("version", ["2.0", "3.1", "0.0"])
def test_unsupported_format_version(tmp_path: Path, version: str) -> None:
    plan = json.loads(PLAN_TEXT)
    plan["format_version"] = version
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    refused(path, f"format_version {version} is not supported")


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{\n  "format_version": "1.2",\n  "planned_values": {,\n}')
    refused(path, "line 3, column 22")


def test_missing_and_empty_files(tmp_path: Path) -> None:
    refused(tmp_path / "nope.json", "no such file")
    empty = tmp_path / "empty.json"
    empty.write_text("")
    refused(empty, "is empty")


def test_wrong_types_inside_a_plan(tmp_path: Path) -> None:
    plan = json.loads(PLAN_TEXT)
    plan["resource_changes"][0]["change"] = "create"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    refused(path, "resource_changes.0.change")


def test_not_text(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(b"\xff\x00\xfe\x01garbage")
    refused(path, "not UTF-8")


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
        lambda t: t.encode("utf-16"),
        lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom"],
)
def test_encodings_are_read(tmp_path: Path, encode: object) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(encode(PLAN_TEXT))  # type: ignore[operator]
    code, out, err = run(str(path))
    assert code == 0, err
    assert json.loads(out)["inputs"][0]["format_version"] == "1.2"


def test_stdin_is_read() -> None:
    code, out, _ = run("-", stdin=PLAN_TEXT.encode())
    assert code == 0
    report = json.loads(out)
    assert report["inputs"][0]["path"] == "-"
    assert report["summary"]["failed"] == 0
