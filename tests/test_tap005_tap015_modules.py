"""TAP005 and TAP015 on the shapes community modules write (issue 25).

terraform-aws-modules/s3-bucket writes the SSE `rule` of
`aws_s3_bucket_server_side_encryption_configuration` with a `dynamic "rule"` block: a plan's
configuration leaves `dynamic` blocks out, so TAP005 reads the rule through `model.settle`
(the plan's values when known, else the sources). Stacks built on modules route outputs
through `locals` to module outputs: TAP015 follows a local to what it references wherever
the sources are bound, and takes an output for the environment name by what its value is.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.report.model import Finding
from checker.run import CheckOptions, check_inputs
from tests.support.scenario import CONFIG
from tests.terraform.fixtures import canonical_inputs
from tests.terraform.harness import (
    MotoServer,
    Workspace,
    build_mirror,
    copy_stack,
    require_terraform,
)

# `dynamic "rule"` as terraform-aws-modules/s3-bucket writes it (main.tf,
# aws_s3_bucket_server_side_encryption_configuration.this), over its
# `server_side_encryption_configuration` input, which holds the CMK ARN the plan creates.
DYNAMIC_SSE = """\
locals {
  server_side_encryption_configuration = {
    rule = {
      bucket_key_enabled = true
      apply_server_side_encryption_by_default = {
        sse_algorithm     = "ALGORITHM"
        kms_master_key_id = aws_kms_key.this.arn
      }
    }
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  dynamic "rule" {
    for_each = try(flatten([local.server_side_encryption_configuration["rule"]]), [])
    content {
      bucket_key_enabled = try(rule.value.bucket_key_enabled, null)
      dynamic "apply_server_side_encryption_by_default" {
        for_each = try([rule.value.apply_server_side_encryption_by_default], [])
        content {
          sse_algorithm     = apply_server_side_encryption_by_default.value.sse_algorithm
          kms_master_key_id = try(apply_server_side_encryption_by_default.value.kms_master_key_id, null)
        }
      }
    }
  }
}
"""

BUCKET_STACK = """\
provider "aws" {
  region = "us-east-1"
}

resource "aws_kms_key" "this" {
  description = "tap005 dynamic rule"
}

resource "aws_s3_bucket" "this" {
  bucket = "tap005-dynamic-rule"
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"""

# sse_algorithm -> TAP005's (status, attribute) for the bucket, in every mode
SSE_CASES = {
    "aws:kms": ("passed", "server_side_encryption"),
    "AES256": ("failed", "server_side_encryption"),
}


def _write_bucket_stack(folder: Path, algorithm: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tf = BUCKET_STACK + "\n" + DYNAMIC_SSE.replace("ALGORITHM", algorithm)
    (folder / "main.tf").write_text(tf, encoding="utf-8")


def _only(findings: list[Finding], rule: str, address: str, attribute: str = "") -> Finding:
    (finding,) = [
        f
        for f in findings
        if f.rule_id == rule
        and f.address == address
        and (not attribute or f.attribute == attribute)
    ]
    return finding


@pytest.mark.fast
@pytest.mark.parametrize("algorithm", list(SSE_CASES), ids=["kms", "aes256"])
def test_dynamic_rule_in_static_mode(tmp_path: Path, algorithm: str) -> None:
    """Before: "... has no rule" (failed) for both, as the rule is only in the `dynamic` block."""
    _write_bucket_stack(tmp_path, algorithm)
    report = check_inputs([str(tmp_path)], CheckOptions(), CONFIG)
    finding = _only(report.findings, "TAP005", "aws_s3_bucket.this")
    assert (finding.status, finding.attribute) == SSE_CASES[algorithm], finding
    assert "has no rule" not in finding.found


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, Path]]]:
    """algorithm -> (stack folder, its real create plan in a folder of its own)."""
    require_terraform()
    root = tmp_path_factory.mktemp("tap005dyn")
    mirror = build_mirror(root / "tf")
    out: dict[str, tuple[Path, Path]] = {}
    moto = MotoServer()
    moto.start(root / "moto.log")
    try:
        for i, algorithm in enumerate(SSE_CASES):
            folder = root / f"stack{i}"
            _write_bucket_stack(folder, algorithm)
            workspace = Workspace(copy_stack(folder, root / f"work{i}"), mirror, moto)
            workspace.init()
            plan = workspace.plan()
            (root / f"plans{i}").mkdir()
            path = root / f"plans{i}" / "plan.json"
            path.write_text(json.dumps(plan), encoding="utf-8")
            out[algorithm] = (folder, path)
    finally:
        moto.stop()
    yield out
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("mode", ["sources", "alone", "static"])
@pytest.mark.parametrize("algorithm", list(SSE_CASES), ids=["kms", "aes256"])
def test_dynamic_rule_one_verdict_in_every_mode(
    plans: dict[str, tuple[Path, Path]], algorithm: str, mode: str
) -> None:
    """Before: unknown with the sources bound (the plan's configuration has no `rule`).
    The plan alone cannot tell: a `for_each` holding a value computed at apply makes
    Terraform plan the whole block as unknown, and the finding says what would settle it."""
    folder, plan = plans[algorithm]
    if mode == "static":
        report = check_inputs([str(folder)], CheckOptions(), CONFIG)
    else:
        source = folder if mode == "sources" else None
        config = CONFIG if mode == "sources" else type(CONFIG)()
        report = check_inputs([str(plan)], CheckOptions(source=source), config)
    finding = _only(report.findings, "TAP005", "aws_s3_bucket.this")
    if mode == "alone":  # the for_each holds the CMK ARN: the plan shows the rule as unknown
        assert finding.status == "unknown", finding
        assert "rule is only known after apply" in finding.found
        assert "--source" in finding.found
    else:
        assert (finding.status, finding.attribute) == SSE_CASES[algorithm], finding


# ---------------------------------------------------------------- TAP015, static mode

ARN_OUTPUT = 'output "content_bucket_arn" {\n  value = aws_s3_bucket.content.arn\n}\n'
ENV_OUTPUTS = (
    'output "environment_suffix" {\n  value = var.environment_suffix\n}\n\n'
    'output "stack_name" {\n  value = local.stack_name\n}\n'
)
# A child module whose bucket ARN the root exposes through a local.
CHILD = """\
resource "aws_s3_bucket" "this" {
  bucket = "tap015-archive"
}

output "arn" {
  value = aws_s3_bucket.this.arn
}

output "id" {
  value = aws_s3_bucket.this.id
}
"""
# TAP015 asks for the bucket notifying the function: the archive bucket is made that bucket.
NOTIFIED = (
    'resource "aws_s3_bucket_notification" "content" {\n  bucket = aws_s3_bucket.content.id\n'
)
THROUGH_LOCAL = """
module "archive" {
  source = "./archive"
}

locals {
  archive_arn = module.archive.arn
}

output "content_bucket_arn" {
  value = local.archive_arn
}
"""


def _tap015(folder: Path, tf: str) -> dict[str, str]:
    canonical_inputs().write(folder)
    assert NOTIFIED in tf
    tf = tf.replace(NOTIFIED, NOTIFIED.replace("aws_s3_bucket.content.id", "module.archive.id"))
    (folder / "tap_stack.tf").write_text(tf, encoding="utf-8")
    (folder / "archive").mkdir()
    (folder / "archive" / "main.tf").write_text(CHILD, encoding="utf-8")
    report = check_inputs([str(folder)], CheckOptions(), CONFIG)
    return {f.attribute: f.status for f in report.findings if f.rule_id == "TAP015"}


@pytest.mark.fast
def test_an_output_through_a_local_to_a_module_output(tmp_path: Path) -> None:
    """Before: "no output exposes bucket arn", the local was a leaf in static mode."""
    tf = canonical_inputs().tf
    assert ARN_OUTPUT in tf
    verdicts = _tap015(tmp_path, tf.replace(ARN_OUTPUT, "") + THROUGH_LOCAL)
    assert verdicts["bucket_arn"] == "passed"
    assert verdicts["environment"] == "passed"  # local.stack_name = "tap-${var.environment_suffix}"


@pytest.mark.fast
def test_a_local_is_not_the_environment_name_by_its_word(tmp_path: Path) -> None:
    """Before: passed, any `local.` counted as the environment output."""
    tf = canonical_inputs().tf
    assert ENV_OUTPUTS in tf
    verdicts = _tap015(
        tmp_path, tf.replace(ENV_OUTPUTS, "").replace(ARN_OUTPUT, "") + THROUGH_LOCAL
    )
    assert verdicts["environment"] == "failed"
    assert verdicts["bucket_arn"] == "passed"


@pytest.mark.fast
def test_a_constant_string_local_is_a_name(tmp_path: Path) -> None:
    tf = canonical_inputs().tf.replace(ENV_OUTPUTS, "")
    tf += 'locals {\n  stack = "tap-prod"\n}\n\noutput "stack" {\n  value = local.stack\n}\n'
    assert _tap015(tmp_path, tf)["environment"] == "passed"
