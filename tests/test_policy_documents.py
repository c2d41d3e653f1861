"""Policy documents as the AWS provider merges them (issue 25, Deliver 2).

An `aws_iam_policy_document` is its `source_json`, each of its
`source_policy_documents`, its own `statement` blocks, each of its
`override_policy_documents` and its `override_json`, merged in that order: a
statement with a Sid replaces the earlier statement of that Sid in place, one
without is appended (terraform-provider-aws
`internal/service/iam/policy_document_data_source.go` and `IAMPolicyDoc.Merge`).
The terraform-aws-modules s3-bucket module builds every bucket policy this way
(`source_policy_documents = compact([... deny_insecure_transport[0].json ...])`).
A part the plan hides makes the policy incomplete: a rule that needs the whole
policy says unknown, and never passes or fails on a statement the hidden part
could replace.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from checker.core.iam import HIDDEN, Statement, merge_documents
from checker.run import CheckOptions, check_inputs
from tests.support.scenario import CONFIG
from tests.terraform.harness import MotoServer, Workspace, build_mirror, require_terraform

# ------------------------------------------------------------------ the merge


def stmt(sid: object, effect: str = "Allow", origin: str = "doc") -> Statement:
    return Statement(effect=effect, actions=["s3:GetObject"], sid=sid, origin=origin)


def shown(statements: list[Statement]) -> list[tuple[object, str, str]]:
    return [(s.sid, s.effect, s.origin) for s in statements]


@pytest.mark.fast
def test_a_sid_replaces_the_earlier_statement_in_place() -> None:
    source = [stmt("A", origin="source"), stmt("", origin="source"), stmt("B", origin="source")]
    own = [stmt("B", "Deny", "own"), stmt("", origin="own")]
    override = [stmt("A", "Deny", "override"), stmt("C", origin="override")]
    merged, complete = merge_documents([source, own, override])
    assert complete
    assert shown(merged) == [
        ("A", "Deny", "override"),
        ("", "Allow", "source"),
        ("B", "Deny", "own"),
        ("", "Allow", "own"),
        ("C", "Allow", "override"),
    ]


@pytest.mark.fast
def test_a_hidden_part_drops_what_it_could_replace() -> None:
    """A hidden part may hold any Sid: earlier statements with one may be gone."""
    merged, complete = merge_documents([[stmt("A"), stmt("")], None, [stmt("B")]])
    assert not complete
    assert shown(merged) == [("", "Allow", "doc"), ("B", "Allow", "doc")]


@pytest.mark.fast
def test_a_visible_sid_after_a_hidden_part_is_certain() -> None:
    merged, _ = merge_documents([[stmt("A", origin="first")], None, [stmt("A", origin="last")]])
    assert shown(merged) == [("A", "Allow", "last")]


@pytest.mark.fast
def test_a_hidden_sid_may_replace_any_earlier_sid() -> None:
    merged, complete = merge_documents([[stmt("A"), stmt("")], [stmt(HIDDEN, origin="x")]])
    assert complete  # every part was read; one Sid is not known
    assert [s.origin for s in merged] == ["doc", "x"] and merged[0].sid == ""
    later, _ = merge_documents([[stmt(HIDDEN, origin="x")], [stmt("A", origin="y")]])
    assert [s.origin for s in later] == ["y"]  # "A" may be the hidden Sid: x may be gone


# --------------------------------------------------------- read from sources

PROVIDER = 'provider "aws" {\n  region = "us-east-1"\n}\n'

TLS = """
data "aws_iam_policy_document" "tls_{name}" {{
  statement {{
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [{arn}, "${{{arn}}}/*"]
    principals {{
      type        = "*"
      identifiers = ["*"]
    }}
    condition {{
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }}
  }}
}}
"""

DENY_ALL = """
data "aws_iam_policy_document" "deny_all_{name}" {{
  statement {{
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [{arn}, "${{{arn}}}/*"]
    principals {{
      type        = "*"
      identifiers = ["*"]
    }}
  }}
}}
"""

ALLOW_EVERYONE = """
data "aws_iam_policy_document" "open_{name}" {{
  statement {{
    sid       = "{sid}"
    actions   = ["s3:GetObject"]
    resources = ["${{{arn}}}/*"]
    principals {{
      type        = "*"
      identifiers = ["*"]
    }}
  }}
}}
"""


def bucket(name: str, document: str, parts: str) -> str:
    """A bucket whose policy is the document `name`, built from `parts` (HCL arguments)."""
    return f"""
resource "aws_s3_bucket" "{name}" {{
  bucket = "pd-{name.replace("_", "-")}"
}}

data "aws_iam_policy_document" "{name}" {{
{parts}
}}

resource "aws_s3_bucket_policy" "{name}" {{
  bucket = aws_s3_bucket.{name}.id
  policy = data.aws_iam_policy_document.{document}.json
}}
"""


def arn(name: str) -> str:
    return f"aws_s3_bucket.{name}.arn"


def tap004(folder: Path, source: Path | None = None) -> dict[str, tuple[str, str]]:
    """(status, found) of TAP004 for each bucket of a directory (static) or a plan file."""
    if folder.is_dir():
        report = check_inputs([str(folder)], CheckOptions(), CONFIG)
    else:
        config = CONFIG if source is not None else type(CONFIG)(rule_options=CONFIG.rule_options)
        report = check_inputs([str(folder)], CheckOptions(source=source), config)
    return {f.address: (f.status, f.found or "") for f in report.findings if f.rule_id == "TAP004"}


def static(tmp_path: Path, *blocks: str) -> dict[str, tuple[str, str]]:
    (tmp_path / "main.tf").write_text(PROVIDER + "".join(blocks), encoding="utf-8")
    return tap004(tmp_path)


@pytest.mark.fast
def test_a_tls_deny_merged_from_a_source_document_passes(tmp_path: Path) -> None:
    found = static(
        tmp_path,
        TLS.format(name="b", arn=arn("b")),
        bucket("b", "b", "  source_policy_documents = [data.aws_iam_policy_document.tls_b.json]"),
    )
    assert found["aws_s3_bucket.b"][0] == "passed"


@pytest.mark.fast
def test_the_deprecated_source_json_merges_too(tmp_path: Path) -> None:
    found = static(
        tmp_path,
        TLS.format(name="b", arn=arn("b")),
        bucket("b", "b", "  source_json = data.aws_iam_policy_document.tls_b.json"),
    )
    assert found["aws_s3_bucket.b"][0] == "passed"


@pytest.mark.fast
def test_an_override_with_the_same_sid_replaces_the_tls_deny(tmp_path: Path) -> None:
    found = static(
        tmp_path,
        TLS.format(name="b", arn=arn("b")),
        DENY_ALL.format(name="b", arn=arn("b")),
        bucket(
            "b",
            "b",
            "  source_policy_documents   = [data.aws_iam_policy_document.tls_b.json]\n"
            "  override_policy_documents = [data.aws_iam_policy_document.deny_all_b.json]",
        ),
    )
    status, text = found["aws_s3_bucket.b"]
    assert status == "failed" and "denies the stack's own roles" in text


@pytest.mark.fast
def test_the_documents_own_statement_replaces_a_source_statement(tmp_path: Path) -> None:
    found = static(
        tmp_path,
        TLS.format(name="b", arn=arn("b")),
        bucket(
            "b",
            "b",
            "  source_policy_documents = [data.aws_iam_policy_document.tls_b.json]\n"
            "  statement {\n"
            '    sid       = "DenyInsecureTransport"\n'
            '    actions   = ["s3:GetObject"]\n'
            '    resources = ["${aws_s3_bucket.b.arn}/*"]\n'
            '    principals {\n      type        = "AWS"\n      identifiers = ["*"]\n    }\n'
            "  }",
        ),
    )
    status, text = found["aws_s3_bucket.b"]
    assert status == "failed" and "allows anyone" in text


@pytest.mark.fast
def test_the_deprecated_override_json_replaces_by_sid(tmp_path: Path) -> None:
    found = static(
        tmp_path,
        TLS.format(name="b", arn=arn("b")),
        ALLOW_EVERYONE.format(name="b", sid="DenyInsecureTransport", arn=arn("b")),
        bucket(
            "b",
            "b",
            "  source_policy_documents = [data.aws_iam_policy_document.tls_b.json]\n"
            "  override_json           = data.aws_iam_policy_document.open_b.json",
        ),
    )
    status, text = found["aws_s3_bucket.b"]
    assert status == "failed" and "allows anyone" in text


@pytest.mark.fast
def test_a_hidden_part_makes_the_policy_unknown_not_passed(tmp_path: Path) -> None:
    found = static(
        tmp_path,
        'variable "extra_policy" {\n  type = string\n}\n',
        TLS.format(name="b", arn=arn("b")),
        bucket(
            "b",
            "b",
            "  source_policy_documents = [data.aws_iam_policy_document.tls_b.json]\n"
            "  override_policy_documents = [var.extra_policy]",
        ),
    )
    status, text = found["aws_s3_bucket.b"]
    assert status == "unknown"
    assert "override_policy_documents[0] is only known after apply" in text


@pytest.mark.fast
def test_a_statement_no_hidden_part_can_replace_still_fails(tmp_path: Path) -> None:
    """An Allow to everyone without a Sid is in the whole policy whatever is hidden."""
    found = static(
        tmp_path,
        'variable "extra_policy" {\n  type = string\n}\n',
        TLS.format(name="b", arn=arn("b")),
        ALLOW_EVERYONE.format(name="b", sid="", arn=arn("b")),
        bucket(
            "b",
            "b",
            "  source_policy_documents = [data.aws_iam_policy_document.tls_b.json,"
            " data.aws_iam_policy_document.open_b.json, var.extra_policy]",
        ),
    )
    assert found["aws_s3_bucket.b"][0] == "failed"


@pytest.mark.fast
def test_a_statement_a_hidden_override_may_replace_is_not_judged(tmp_path: Path) -> None:
    found = static(
        tmp_path,
        'variable "extra_policy" {\n  type = string\n}\n',
        TLS.format(name="b", arn=arn("b")),
        ALLOW_EVERYONE.format(name="b", sid="Open", arn=arn("b")),
        bucket(
            "b",
            "b",
            "  source_policy_documents = [data.aws_iam_policy_document.tls_b.json,"
            " data.aws_iam_policy_document.open_b.json]\n"
            "  override_policy_documents = [var.extra_policy]",
        ),
    )
    assert found["aws_s3_bucket.b"][0] == "unknown"


# ----------------------------------------------- a real plan, in three modes

STACK = (
    PROVIDER
    + """
variable "attach_tls" {
  type    = bool
  default = true
}

resource "aws_s3_bucket" "merged" {
  count  = 1
  bucket = "pd-merged"
}

data "aws_iam_policy_document" "tls" {
  count = var.attach_tls ? 1 : 0

  statement {
    sid       = "denyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.merged[0].arn, "${aws_s3_bucket.merged[0].arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

# as terraform-aws-modules/s3-bucket builds its bucket policy
data "aws_iam_policy_document" "combined" {
  count = var.attach_tls ? 1 : 0

  source_policy_documents = compact([
    var.attach_tls ? data.aws_iam_policy_document.tls[0].json : "",
  ])
}

resource "aws_s3_bucket_policy" "merged" {
  count  = var.attach_tls ? 1 : 0
  bucket = aws_s3_bucket.merged[0].id
  policy = data.aws_iam_policy_document.combined[0].json
}

output "bucket_arn" {
  value = try(aws_s3_bucket.merged[0].arn, "")
}
"""
    + TLS.format(name="overridden", arn=arn("overridden"))
    + DENY_ALL.format(name="overridden", arn=arn("overridden"))
    + bucket(
        "overridden",
        "overridden",
        "  source_policy_documents   = [data.aws_iam_policy_document.tls_overridden.json]\n"
        "  override_policy_documents = [data.aws_iam_policy_document.deny_all_overridden.json]",
    )
)


@dataclass(frozen=True)
class Planned:
    stack: Path
    plan: Path


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planned]:
    """The stack's real create plan (Terraform against moto), the .tf files beside it."""
    require_terraform()
    home = tmp_path_factory.mktemp("terraform-home")
    server = MotoServer()
    server.start(home / "moto.log")
    try:
        stack = tmp_path_factory.mktemp("merged")
        (stack / "main.tf").write_text(STACK, encoding="utf-8")
        workspace = Workspace(stack, build_mirror(home), server)
        workspace.init()
        workspace.plan("tfplan")
        plans = tmp_path_factory.mktemp("plans")  # away from the .tf files
        plan = plans / "plan.json"
        plan.write_text(workspace.plan_text("tfplan"), encoding="utf-8")
        shutil.rmtree(stack / ".terraform")
        for leftover in stack.glob("*"):
            if leftover.name != "main.tf":
                leftover.unlink() if leftover.is_file() else shutil.rmtree(leftover)
        yield Planned(stack, plan)
    finally:
        server.stop()


def test_the_merged_tls_deny_passes_with_sources_and_statically(planned: Planned) -> None:
    assert tap004(planned.plan, planned.stack)["aws_s3_bucket.merged[0]"][0] == "passed"
    assert tap004(planned.stack)["aws_s3_bucket.merged[0]"][0] == "passed"


def test_the_plan_alone_cannot_see_the_merged_parts(planned: Planned) -> None:
    status, text = tap004(planned.plan)["aws_s3_bucket.merged[0]"]
    assert status == "unknown"
    assert "source_policy_documents is only known after apply" in text


def test_an_overriding_deny_without_the_condition_fails_in_every_mode(planned: Planned) -> None:
    for found in (tap004(planned.plan, planned.stack), tap004(planned.stack)):
        status, text = found["aws_s3_bucket.overridden"]
        assert status == "failed" and "denies the stack's own roles" in text
    assert tap004(planned.plan)["aws_s3_bucket.overridden"][0] in ("failed", "unknown")
