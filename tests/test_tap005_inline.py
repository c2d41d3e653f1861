"""TAP005 catches settings written inside `aws_s3_bucket` that belong in their own resource.

The seed's incident 5: "Terraform complained: `Unsupported block type: "rule"`
under the bucket resource ... We mistakenly put SSE rules inside `aws_s3_bucket`
instead of `aws_s3_bucket_server_side_encryption_configuration`." Terraform
refuses to plan that block, so static mode (a pre-commit hook) is the only mode
that sees it. The deprecated inline blocks provider 5.x still accepts
(`"deprecated": true` in `terraform providers schema -json` of hashicorp/aws
5.100.0) reach a plan, and get the same verdict with sources bound, from the
plan alone and in static mode.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.report.model import Finding
from checker.run import CheckOptions, check_inputs
from tests.support.scenario import CONFIG, failed
from tests.terraform.fixtures import canonical_inputs
from tests.terraform.harness import (
    MotoServer,
    TerraformError,
    Workspace,
    build_mirror,
    copy_stack,
    require_terraform,
)

SSE = "aws_s3_bucket_server_side_encryption_configuration"
BUCKET = 'resource "aws_s3_bucket" "content" {\n'
SSE_RESOURCE = (
    'resource "aws_s3_bucket_server_side_encryption_configuration" "content" {\n'
    "  bucket = aws_s3_bucket.content.id\n"
    "  rule {\n"
    "    apply_server_side_encryption_by_default {\n"
    '      sse_algorithm     = "aws:kms"\n'
    "      kms_master_key_id = aws_kms_key.main.arn\n"
    "    }\n"
    "    bucket_key_enabled = true\n"
    "  }\n"
    "}\n"
)
# The SSE stanza as the team first wrote it: inside the bucket.
RULE_IN_BUCKET = (
    "  rule {\n"
    "    apply_server_side_encryption_by_default {\n"
    '      sse_algorithm     = "aws:kms"\n'
    "      kms_master_key_id = aws_kms_key.main.arn\n"
    "    }\n"
    "    bucket_key_enabled = true\n"
    "  }\n"
)


def _static(folder: Path, tf: str) -> list[Finding]:
    canonical_inputs().write(folder)
    (folder / "tap_stack.tf").write_text(tf, encoding="utf-8")
    return check_inputs([str(folder)], CheckOptions(), CONFIG).findings


def _tap005(findings: list[Finding], address: str) -> Finding:
    (finding,) = [f for f in findings if f.rule_id == "TAP005" and f.address == address]
    return finding


@pytest.mark.fast
def test_the_seed_incident_in_static_mode(tmp_path: Path) -> None:
    """The SSE rule moved into the bucket instead of its own resource: the finding names the
    rejected `rule` block and says where it goes."""
    tf = canonical_inputs().tf
    assert SSE_RESOURCE in tf and BUCKET in tf
    tf = tf.replace(SSE_RESOURCE, "").replace(BUCKET, BUCKET + RULE_IN_BUCKET)
    findings = _static(tmp_path, tf)
    assert failed(findings) == {("TAP005", "aws_s3_bucket.content")}
    finding = _tap005(findings, "aws_s3_bucket.content")
    assert finding.attribute == "rule"
    assert f"rule (Terraform rejects it here; it belongs in {SSE})" in finding.found
    assert (
        f'move rule into resource "{SSE}" with bucket = aws_s3_bucket.content.id'
        in finding.remediation
    )
    assert finding.line is not None and finding.file is not None


@pytest.mark.fast
def test_a_rule_block_beside_the_sse_resource_no_longer_passes(tmp_path: Path) -> None:
    """With the SSE resource still there, the bucket used to pass: the stray block was unseen."""
    tf = canonical_inputs().tf.replace(BUCKET, BUCKET + RULE_IN_BUCKET)
    findings = _static(tmp_path, tf)
    assert failed(findings) == {("TAP005", "aws_s3_bucket.content")}
    assert _tap005(findings, "aws_s3_bucket.content").attribute == "rule"


@pytest.mark.fast
@pytest.mark.parametrize(
    ("written", "attribute", "found"),
    [
        (
            '  rule {\n    id = "expire"\n    status = "Enabled"\n'
            "    expiration {\n      days = 30\n    }\n  }\n",
            "rule",
            "rule (Terraform rejects it here; it belongs in aws_s3_bucket_lifecycle_configuration)",
        ),
        (
            '  versioning_configuration {\n    status = "Enabled"\n  }\n',
            "versioning_configuration",
            "belongs in aws_s3_bucket_versioning",
        ),
        (
            "  block_public_acls = true\n",
            "block_public_acls",
            "belongs in aws_s3_bucket_public_access_block",
        ),
        (
            "  server_side_encryption_configuration {\n"
            + RULE_IN_BUCKET.replace("\n  ", "\n    ")
            + "  }\n",
            "server_side_encryption_configuration",
            f"server_side_encryption_configuration (deprecated inline; it belongs in {SSE})",
        ),
        (
            '  dynamic "versioning" {\n    for_each = [true]\n    content {\n'
            "      enabled = versioning.value\n    }\n  }\n",
            "versioning",
            "versioning (deprecated inline; it belongs in aws_s3_bucket_versioning)",
        ),
        (
            '  acl = "private"\n',
            "acl",
            "acl (deprecated inline; it belongs in aws_s3_bucket_acl)",
        ),
    ],
    ids=["lifecycle-rule", "versioning-configuration", "pab-flag", "legacy-sse", "dynamic", "acl"],
)
def test_each_setting_names_the_resource_it_belongs_in(
    tmp_path: Path, written: str, attribute: str, found: str
) -> None:
    tf = canonical_inputs().tf.replace(BUCKET, BUCKET + written)
    findings = _static(tmp_path, tf)
    assert failed(findings) == {("TAP005", "aws_s3_bucket.content")}
    finding = _tap005(findings, "aws_s3_bucket.content")
    assert (finding.attribute, finding.status) == (attribute, "failed")
    assert found in finding.found


@pytest.mark.fast
def test_a_dynamic_block_with_nothing_to_generate_is_not_inline(tmp_path: Path) -> None:
    written = '  dynamic "versioning" {\n    for_each = []\n    content {\n      enabled = true\n    }\n  }\n'
    findings = _static(tmp_path, canonical_inputs().tf.replace(BUCKET, BUCKET + written))
    assert failed(findings) == set()


# ------------------------------------------------------- every mode, real plan

STACK = """\
provider "aws" {
  region = "us-east-1"
}

resource "aws_kms_key" "main" {
  description = "tap005 inline"
}

resource "aws_s3_bucket" "legacy" {
  bucket = "tap005-legacy"
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.main.arn
      }
    }
  }
}

resource "aws_s3_bucket" "generated" {
  bucket = "tap005-generated"
  dynamic "versioning" {
    for_each = [true]
    content {
      enabled = versioning.value
    }
  }
}

resource "aws_s3_bucket" "clean" {
  bucket = "tap005-clean"
}
"""


def _companions(name: str) -> str:
    return (
        f'resource "aws_s3_bucket_server_side_encryption_configuration" "{name}" {{\n'
        f"  bucket = aws_s3_bucket.{name}.id\n  rule {{\n"
        "    apply_server_side_encryption_by_default {\n"
        '      sse_algorithm     = "aws:kms"\n      kms_master_key_id = aws_kms_key.main.arn\n'
        "    }\n  }\n}\n\n"
        f'resource "aws_s3_bucket_versioning" "{name}" {{\n  bucket = aws_s3_bucket.{name}.id\n'
        '  versioning_configuration {\n    status = "Enabled"\n  }\n}\n\n'
        f'resource "aws_s3_bucket_public_access_block" "{name}" {{\n'
        f"  bucket                  = aws_s3_bucket.{name}.id\n"
        "  block_public_acls       = true\n  block_public_policy     = true\n"
        "  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n\n"
    )


EXPECTED = {
    "aws_s3_bucket.legacy": ("failed", "server_side_encryption_configuration"),
    "aws_s3_bucket.generated": ("failed", "versioning"),
    "aws_s3_bucket.clean": ("passed", "server_side_encryption"),
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The stack, its real create plan, and Terraform's answer to the seed's `rule` block."""
    require_terraform()
    root = tmp_path_factory.mktemp("tap005")
    folder = root / "stack"
    folder.mkdir()
    companions = "".join(_companions(n) for n in ("legacy", "generated", "clean"))
    (folder / "main.tf").write_text(STACK + "\n" + companions, encoding="utf-8")
    moto = MotoServer()
    moto.start(root / "moto.log")
    try:
        workspace = Workspace(copy_stack(folder, root / "work"), build_mirror(root / "tf"), moto)
        workspace.init()
        plan = workspace.plan()
        (workspace.directory / "seed.tf").write_text(
            'resource "aws_s3_bucket" "seed" {\n' + RULE_IN_BUCKET + "}\n", encoding="utf-8"
        )
        with pytest.raises(TerraformError) as refused:
            workspace.run("validate", "-no-color")
    finally:
        moto.stop()
    (root / "plans").mkdir()
    (root / "plans" / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    (root / "refused.txt").write_text(str(refused.value), encoding="utf-8")
    yield {"stack": folder, "plan": root / "plans" / "plan.json", "refused": root / "refused.txt"}
    shutil.rmtree(root, ignore_errors=True)


def test_terraform_refuses_the_seed_block(stack: dict[str, Path]) -> None:
    """Why static mode is the only mode that can see incident 5 as the team wrote it."""
    refused = stack["refused"].read_text(encoding="utf-8")
    assert "Unsupported block type" in refused
    assert 'Blocks of type "rule" are not expected here.' in refused


@pytest.mark.parametrize("mode", ["sources", "alone", "static"])
def test_inline_blocks_get_one_verdict_in_every_mode(stack: dict[str, Path], mode: str) -> None:
    """The deprecated block and the one a `dynamic` block generates (a plan's configuration
    leaves `dynamic` out; its create values show the block) fail in each mode alike."""
    if mode == "static":
        report = check_inputs([str(stack["stack"])], CheckOptions(), CONFIG)
    else:
        source = stack["stack"] if mode == "sources" else None
        config = CONFIG if mode == "sources" else type(CONFIG)()
        report = check_inputs([str(stack["plan"])], CheckOptions(source=source), config)
        bound = "HCL sources" in " ".join(report.inputs[0].notes)
        assert bound == (mode == "sources")
    for address, (status, attribute) in EXPECTED.items():
        finding = _tap005(report.findings, address)
        assert (finding.status, finding.attribute) == (status, attribute), finding
