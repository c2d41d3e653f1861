"""Issue 25, deliver 5: the handler source of a package built outside Terraform.

The stack here is the one a team writes when CI builds the Lambda zip: the
handler lives in `src/`, a build step zips it to `build/worker.zip`, an
`aws_s3_object` uploads the zip and the function names it by `s3_bucket` and
`s3_key`. TAP002 must read the handler from the stack's files (the zip the
build wrote when it is there, else the usual folders), in a real plan with its
sources and in static mode, and say which file it read; it never guesses
between two candidates, never reads outside the source root, and from the plan
alone says it needs the sources. TAP006 must see a `timestamp()` in the
package's S3 key (incident 6 of the seed: every apply redeployed the function).

Real plans come from Terraform against moto (`tests/terraform/harness.py`):
missing, they skip on a laptop and fail with `CI=true`.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from checker.config import CheckerConfig
from checker.plan.model import Instance
from checker.report.model import Finding, Report
from checker.rules.handler_source import candidate_folders, handler_module
from checker.run import CheckOptions, check_inputs
from tests.terraform.harness import MotoServer, Workspace, build_mirror, require_terraform

STACK = """terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

resource "aws_s3_bucket" "artifacts" {
  bucket        = "hs-artifacts"
  force_destroy = true
}

# CI zips src/ into build/worker.zip before `terraform plan`.
resource "aws_s3_object" "package" {
  bucket      = aws_s3_bucket.artifacts.id
  key         = "lambda/worker.zip"
  source      = "${path.module}/build/worker.zip"
  source_hash = filemd5("${path.module}/build/worker.zip")
}

resource "aws_dynamodb_table" "items" {
  name         = "hs-items"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_iam_role" "worker" {
  name = "hs-worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "worker" {
  role = aws_iam_role.worker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["dynamodb:GetItem", "dynamodb:PutItem"]
      Resource = [aws_dynamodb_table.items.arn]
    }]
  })
}

resource "aws_lambda_function" "worker" {
  function_name    = "hs-worker"
  role             = aws_iam_role.worker.arn
  handler          = "index.handler"
  runtime          = "python3.12"
  s3_bucket        = aws_s3_bucket.artifacts.id
  s3_key           = aws_s3_object.package.key
  source_code_hash = filebase64sha256("${path.module}/build/worker.zip")
  environment {
    variables = { TABLE = aws_dynamodb_table.items.name }
  }
}
"""
HANDLER = """import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    TABLE.put_item(Item={"id": context.aws_request_id})
    return TABLE.get_item(Key={"id": context.aws_request_id}).get("Item")
"""
# Incident 2: the handler calls an action the role does not grant.
DELETES = (
    HANDLER
    + """

def cleanup(event, context):
    TABLE.delete_item(Key={"id": event["id"]})
"""
)
FIXED_KEY = 'key         = "lambda/worker.zip"'
# Incident 6: the key changes on every plan, so every apply uploads and redeploys.
TIMESTAMP_KEY = 'key         = "lambda/worker-${formatdate("YYYYMMDDhhmmss", timestamp())}.zip"'
ENV_TIMESTAMP_KEY = 'key         = "lambda/${var.env}/worker-${timestamp()}.zip"'
ENV = 'variable "env" {\n  type    = string\n  default = "dev"\n}\n'
SOURCE_HASH = 'source_hash = filemd5("${path.module}/build/worker.zip")'
ROLE = "aws_iam_role.worker"
FUNCTION = "aws_lambda_function.worker"


def write_stack(
    folder: Path, handler: str = HANDLER, stack: str = STACK, build: bool = False
) -> Path:
    """The stack's files; with `build`, the zip CI makes of `src/` (deterministic bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.tf").write_text(stack, encoding="utf-8")
    (folder / "src").mkdir(exist_ok=True)
    (folder / "src" / "index.py").write_text(handler, encoding="utf-8")
    if build:
        build_zip(folder / "build" / "worker.zip", {"index.py": handler})
    return folder


def build_zip(path: Path, members: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)


def check(target: Path, source: Path | None = None) -> Report:
    return check_inputs([str(target)], CheckOptions(source=source), CheckerConfig())


def finding(report: Report, rule: str, address: str) -> Finding:
    (found,) = [f for f in report.findings if (f.rule_id, f.address) == (rule, address)]
    return found


def described(found: Finding) -> str:
    return f"{found.status}: {found.found} | {found.note}"


# ------------------------------------------------------------------ the handler setting


@pytest.mark.fast
@pytest.mark.parametrize(
    ("handler", "module"),
    [
        ("index.handler", "index.py"),
        ("lambda_function.lambda_handler", "lambda_function.py"),
        ("app.main.handler", "app/main.py"),  # awslambdaric: import_module("app.main")
        ("app/main.handler", "app/main.py"),  # modname.replace("/", ".") first
        ("src/index.handler", "src/index.py"),
        ("handler", None),  # no module: the runtime refuses it
        ("../up.handler", None),
        ("/abs.handler", None),
    ],
)
def test_handler_setting_names_the_module_the_runtime_imports(
    handler: str, module: str | None
) -> None:
    function = Instance(
        address=FUNCTION,
        module_address="",
        module="",
        type="aws_lambda_function",
        name="worker",
        mode="managed",
        index=None,
        action="create",
        values={"handler": handler},
    )
    assert handler_module(function) == module


@pytest.mark.fast
def test_folders_named_like_the_function_or_its_zip() -> None:
    folders = candidate_folders(["worker", "hs-worker"])
    assert folders[:2] == ["src", "lambda"]
    for name in ("worker", "hs-worker"):
        assert {name, f"functions/{name}", f"lambdas/{name}", f"src/{name}"} <= set(folders)


# ------------------------------------------------------------------ static mode


@pytest.mark.fast
def test_static_reads_the_handler_from_src(tmp_path: Path) -> None:
    report = check(write_stack(tmp_path / "stack"))
    passed = finding(report, "TAP002", ROLE)
    assert passed.status == "passed", described(passed)
    assert "handler read from src/index.py" in passed.note


@pytest.mark.fast
def test_static_a_call_the_role_lacks_fails_naming_the_file(tmp_path: Path) -> None:
    report = check(write_stack(tmp_path / "stack", DELETES))
    failed = finding(report, "TAP002", ROLE)
    assert failed.status == "failed", described(failed)
    assert "dynamodb:DeleteItem" in failed.found and "src/index.py" in failed.found


@pytest.mark.fast
def test_the_zip_the_build_wrote_is_what_is_read(tmp_path: Path) -> None:
    """The package is what deploys: its member wins over a newer src/ not yet built."""
    stack = write_stack(tmp_path / "stack", DELETES)
    build_zip(stack / "build" / "worker.zip", {"index.py": HANDLER})
    passed = finding(check(stack), "TAP002", ROLE)
    assert passed.status == "passed", described(passed)
    assert "build/worker.zip: index.py" in passed.note


@pytest.mark.fast
def test_a_zip_without_the_handler_module_is_unknown(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "stack")
    build_zip(stack / "build" / "worker.zip", {"app.py": HANDLER})
    unknown = finding(check(stack), "TAP002", ROLE)
    assert unknown.status == "unknown", described(unknown)
    assert "build/worker.zip holds no index.py" in unknown.found


@pytest.mark.fast
def test_a_zip_bomb_member_is_not_read(tmp_path: Path) -> None:
    """A few KiB of zip that inflate past the cap: never inflated whole."""
    stack = write_stack(tmp_path / "stack")
    build_zip(stack / "build" / "worker.zip", {"index.py": HANDLER + "#" * (2 << 20)})
    assert (stack / "build" / "worker.zip").stat().st_size < 64 * 1024
    unknown = finding(check(stack), "TAP002", ROLE)
    assert unknown.status == "unknown", described(unknown)
    assert "build/worker.zip: index.py is over 1048576 bytes" in unknown.found


@pytest.mark.fast
def test_a_file_that_is_not_a_zip_leaves_the_folders(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "stack")
    (stack / "build").mkdir()
    (stack / "build" / "worker.zip").write_text("not a zip", encoding="utf-8")
    passed = finding(check(stack), "TAP002", ROLE)
    assert passed.status == "passed", described(passed)
    assert "handler read from src/index.py" in passed.note


@pytest.mark.fast
def test_two_candidates_are_unknown_naming_both(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "stack")
    (stack / "functions" / "worker").mkdir(parents=True)
    (stack / "functions" / "worker" / "index.py").write_text(DELETES, encoding="utf-8")
    unknown = finding(check(stack), "TAP002", ROLE)
    assert unknown.status == "unknown", described(unknown)
    assert "src/index.py" in unknown.found and "functions/worker/index.py" in unknown.found


@pytest.mark.fast
def test_the_same_text_twice_is_one_handler(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "stack")
    (stack / "lambda").mkdir()
    (stack / "lambda" / "index.py").write_text(HANDLER, encoding="utf-8")
    passed = finding(check(stack), "TAP002", ROLE)
    assert passed.status == "passed", described(passed)
    assert "src/index.py (the same text as lambda/index.py)" in passed.note


@pytest.mark.fast
@pytest.mark.parametrize(
    ("handler", "file"),
    [
        ("app.main.handler", "src/app/main.py"),
        ("index.handler", "functions/hs-worker/index.py"),  # function_name
        ("index.handler", "worker/index.py"),  # the zip's basename, the block label
        ("index.handler", "lambdas/worker/index.py"),
        ("src/index.handler", "src/index.py"),  # the zip is the module directory itself
    ],
)
def test_the_usual_layouts(tmp_path: Path, handler: str, file: str) -> None:
    stack = tmp_path / "stack"
    stack.mkdir()
    (stack / "main.tf").write_text(
        STACK.replace('"index.handler"', f'"{handler}"'), encoding="utf-8"
    )
    path = stack / file
    path.parent.mkdir(parents=True)
    path.write_text(DELETES, encoding="utf-8")
    failed = finding(check(stack), "TAP002", ROLE)
    assert failed.status == "failed", described(failed)
    assert f"(read from {file})" in failed.found


@pytest.mark.fast
def test_a_symlink_out_of_the_source_root_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text(DELETES, encoding="utf-8")
    stack = tmp_path / "stack"
    stack.mkdir()
    (stack / "main.tf").write_text(STACK, encoding="utf-8")
    (stack / "src").mkdir()
    (stack / "src" / "index.py").symlink_to(outside)
    unknown = finding(check(stack), "TAP002", ROLE)
    assert unknown.status == "unknown", described(unknown)
    assert "src/index.py refused: outside the source root" in unknown.found


@pytest.mark.fast
def test_a_package_path_outside_the_root_is_refused(tmp_path: Path) -> None:
    build_zip(tmp_path / "worker.zip", {"index.py": DELETES})
    stack = write_stack(
        tmp_path / "stack",
        stack=STACK.replace("${path.module}/build/worker.zip", "${path.module}/../worker.zip"),
    )
    report = check(stack)
    passed = finding(report, "TAP002", ROLE)
    assert passed.status == "passed", described(passed)  # src/, never ../worker.zip
    assert "src/index.py" in passed.note


@pytest.mark.fast
def test_a_node_function_is_not_read_as_python(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "stack", DELETES, STACK.replace('"python3.12"', '"nodejs20.x"'))
    unknown = finding(check(stack), "TAP002", ROLE)
    assert unknown.status == "unknown", described(unknown)
    assert "nodejs20.x handler is not read" in unknown.found


# ------------------------------------------------------------------ TAP006, static


@pytest.mark.fast
@pytest.mark.parametrize(
    "key",
    [
        TIMESTAMP_KEY,
        'key         = "lambda/${timestamp()}.zip"',
        'key         = "lambda/worker-${uuid()}.zip"',
        'key         = "lambda/${substr(uuid(), 0, 8)}.zip"',
    ],
)
def test_static_a_volatile_key_fails_tap006(tmp_path: Path, key: str) -> None:
    stack = write_stack(tmp_path / "stack", stack=STACK.replace(FIXED_KEY, key))
    failed = finding(check(stack), "TAP006", FUNCTION)
    assert failed.status == "failed", described(failed)
    assert "aws_s3_object.package key is built from" in failed.found


@pytest.mark.fast
def test_static_a_volatile_etag_fails_tap006(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "stack", stack=STACK.replace(SOURCE_HASH, "etag = uuid()"))
    failed = finding(check(stack), "TAP006", FUNCTION)
    assert failed.status == "failed", described(failed)
    assert "aws_s3_object.package etag is built from uuid()" in failed.found


@pytest.mark.fast
def test_static_a_volatile_function_key_fails_tap006(tmp_path: Path) -> None:
    text = STACK.replace(
        "s3_key           = aws_s3_object.package.key",
        's3_key           = "lambda/${timestamp()}.zip"',
    )
    failed = finding(check(write_stack(tmp_path / "stack", stack=text)), "TAP006", FUNCTION)
    assert failed.status == "failed", described(failed)
    assert f"{FUNCTION} s3_key is built from timestamp()" in failed.found


@pytest.mark.fast
def test_static_a_fixed_key_passes_tap006(tmp_path: Path) -> None:
    passed = finding(check(write_stack(tmp_path / "stack")), "TAP006", FUNCTION)
    assert passed.status == "passed", described(passed)
    assert "aws_s3_object.package uploads the package under a fixed key" in passed.found


# ------------------------------------------------------------------ real plans


@dataclass(frozen=True)
class Planned:
    """A stack as CI leaves it (src/, the zip it built, the .tf files) and its real plan."""

    stack: Path
    plan: Path


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MotoServer, Path]]:
    require_terraform()
    home = tmp_path_factory.mktemp("terraform-home")
    server = MotoServer()
    server.start(home / "moto.log")
    try:
        yield server, build_mirror(home)
    finally:
        server.stop()


def _plan(folder: Path, moto: tuple[MotoServer, Path], handler: str, stack: str) -> Planned:
    write_stack(folder, handler, stack, build=True)
    workspace = Workspace(folder, moto[1], moto[0])
    workspace.init()
    workspace.plan("tfplan")
    plan = folder / "plan.json"
    plan.write_text(workspace.plan_text("tfplan"), encoding="utf-8")
    shutil.rmtree(folder / ".terraform")
    return Planned(folder, plan)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, moto: tuple[MotoServer, Path]) -> Planned:
    return _plan(tmp_path_factory.mktemp("clean"), moto, HANDLER, STACK)


@pytest.fixture(scope="module")
def deletes(tmp_path_factory: pytest.TempPathFactory, moto: tuple[MotoServer, Path]) -> Planned:
    return _plan(tmp_path_factory.mktemp("deletes"), moto, DELETES, STACK)


@pytest.fixture(scope="module")
def stamped(tmp_path_factory: pytest.TempPathFactory, moto: tuple[MotoServer, Path]) -> Planned:
    """The key carries the environment (known at plan) and timestamp() (known at apply)."""
    stack = ENV + STACK.replace(FIXED_KEY, ENV_TIMESTAMP_KEY)
    return _plan(tmp_path_factory.mktemp("stamped"), moto, HANDLER, stack)


@pytest.fixture(scope="module")
def random_etag(tmp_path_factory: pytest.TempPathFactory, moto: tuple[MotoServer, Path]) -> Planned:
    stack = STACK.replace(SOURCE_HASH, "etag        = uuid()")
    return _plan(tmp_path_factory.mktemp("random-etag"), moto, HANDLER, stack)


def _sources_without_build(planned: Planned, tmp_path: Path) -> Path:
    """The checkout a later CI job has: the .tf files and src/, not the build output."""
    source = tmp_path / "checkout"
    shutil.copytree(planned.stack, source, ignore=shutil.ignore_patterns("build", "*plan*"))
    return source


def _plan_alone(planned: Planned, tmp_path: Path) -> Report:
    empty = tmp_path / "empty"
    empty.mkdir()
    return check(planned.plan, source=empty)


def test_plan_with_sources_reads_the_built_zip(clean: Planned) -> None:
    report = check(clean.plan)
    assert any("HCL sources" in n for i in report.inputs for n in i.notes), report.inputs
    passed = finding(report, "TAP002", ROLE)
    assert passed.status == "passed", described(passed)
    assert "handler read from build/worker.zip: index.py" in passed.note


def test_plan_with_sources_reads_src_when_the_zip_is_not_there(
    clean: Planned, tmp_path: Path
) -> None:
    report = check(clean.plan, source=_sources_without_build(clean, tmp_path))
    passed = finding(report, "TAP002", ROLE)
    assert passed.status == "passed", described(passed)
    assert "handler read from src/index.py" in passed.note
    assert finding(report, "TAP006", FUNCTION).status == "passed"


def test_plan_with_sources_fails_a_call_the_role_lacks(deletes: Planned, tmp_path: Path) -> None:
    for source in (None, _sources_without_build(deletes, tmp_path)):
        failed = finding(check(deletes.plan, source=source), "TAP002", ROLE)
        assert failed.status == "failed", described(failed)
        assert "dynamodb:DeleteItem" in failed.found


def test_the_plan_alone_asks_for_the_sources(deletes: Planned, tmp_path: Path) -> None:
    unknown = finding(_plan_alone(deletes, tmp_path), "TAP002", ROLE)
    assert unknown.status == "unknown", described(unknown)
    assert "read from the stack's files, not bound here" in unknown.found
    assert "--source DIR" in unknown.note


def test_static_mode_agrees_with_the_plan(deletes: Planned, clean: Planned) -> None:
    for planned, status in ((clean, "passed"), (deletes, "failed")):
        static = finding(check(_static_copy(planned)), "TAP002", ROLE)
        assert static.status == status, described(static)


def _static_copy(planned: Planned) -> Path:
    """The stack directory without its plan files: static mode reads the .tf files."""
    copy = planned.stack.parent / f"{planned.stack.name}-static"
    if not copy.exists():
        shutil.copytree(planned.stack, copy, ignore=shutil.ignore_patterns("*plan*", ".terraform*"))
    return copy


def test_a_timestamp_in_the_key_is_unknown_until_apply(stamped: Planned) -> None:
    """What the plan says: Terraform cannot know timestamp() before apply."""
    plan = json.loads(stamped.plan.read_text(encoding="utf-8"))
    (change,) = [c for c in plan["resource_changes"] if c["address"] == "aws_s3_object.package"]
    assert change["change"]["after_unknown"].get("key") is True


def test_a_timestamp_in_the_key_fails_tap006_in_every_mode(
    stamped: Planned, tmp_path: Path
) -> None:
    with_sources = finding(check(stamped.plan), "TAP006", FUNCTION)
    assert with_sources.status == "failed", described(with_sources)
    assert "aws_s3_object.package key is built from timestamp()" in with_sources.found
    alone = finding(_plan_alone(stamped, tmp_path), "TAP006", FUNCTION)
    assert alone.status == "failed", described(alone)
    assert "yet it references only var.env, known at plan" in alone.found
    static = finding(check(_static_copy(stamped)), "TAP006", FUNCTION)
    assert static.status == "failed", described(static)


def test_a_random_etag_fails_tap006_in_every_mode(random_etag: Planned, tmp_path: Path) -> None:
    with_sources = finding(check(random_etag.plan), "TAP006", FUNCTION)
    assert with_sources.status == "failed", described(with_sources)
    assert "aws_s3_object.package etag is built from uuid()" in with_sources.found
    alone = finding(_plan_alone(random_etag, tmp_path), "TAP006", FUNCTION)
    assert alone.status == "failed", described(alone)
    assert "yet it references no value: an impure function" in alone.found
    static = finding(check(_static_copy(random_etag)), "TAP006", FUNCTION)
    assert static.status == "failed", described(static)
