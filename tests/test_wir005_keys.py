"""WIR005's pieces without Terraform: the key-policy requests, and static checks of small stacks.

Real plans of the family mutations (`tests/stacks/key_mutations.py`) are judged where the
corpus' are; here each mutation is also checked statically (the .tf files, sources bound).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.core.iam import Condition, Statement
from checker.plan.values import Unknown
from checker.rules.iam import Policy
from checker.testing import check_plan, failures, findings_of
from checker.wiring.key_access import ROOT_ID, Verdict, as_requested
from checker.wiring.key_users import CONSUME, PRODUCE
from checker.wiring.wir005_key_usability import RULE
from tests.stacks.corpus import Stack, StackMutation
from tests.stacks.families import EVENTS, HTTPAPI
from tests.stacks.key_mutations import EVENTS_KEYS, HTTPAPI_KEYS

ACCOUNT = "${data.aws_caller_identity.current.account_id}"
ROOT = Unknown.of_reference("data.aws_caller_identity.current.account_id")


def _root_statement(principal: object) -> Statement:
    return Statement("Allow", ["kms:*"], None, ["*"], None, {"AWS": [principal]})


def test_the_account_root_template_is_the_root() -> None:
    literal = _root_statement(f"arn:aws:iam::{ACCOUNT}:root")
    other = _root_statement("arn:aws:iam::222233334444:root")
    made = as_requested([literal, other], "111122223333")
    assert made[0].principals == {"AWS": [ROOT_ID]}
    assert made[1].principals == {"AWS": ["arn:aws:iam::222233334444:root"]}  # another account
    assert as_requested([other], ACCOUNT)[0].principals == {"AWS": [ROOT_ID]}


def test_the_rule_is_described_as_the_pack_requires() -> None:
    meta = RULE.meta
    assert meta.id == "WIR005" and meta.incident == 3 and not meta.engines
    assert all("https://" in r for r in meta.references)
    assert meta.aws_model and meta.letter_vs_aws and meta.limits and meta.needs_person
    assert PRODUCE == ("kms:GenerateDataKey", "kms:Decrypt") and CONSUME == ("kms:Decrypt",)


def _service(statements: list[Statement], principal: str, source: object = None) -> Verdict:
    from checker.wiring import key_access

    class _Key:
        address = "aws_kms_key.k"

        def get(self, *_: object) -> object:
            return None

    context: dict[str, tuple[object, ...]] = {"aws:SourceAccount": ("111122223333",)}
    if source is not None:
        context["aws:SourceArn"] = (source,)
    return key_access.service_may(
        Policy(statements, True, origins=["aws_kms_key.k"]),
        _Key(),  # type: ignore[arg-type]
        principal,
        PRODUCE,
        context,
        frozenset({"kms:grantisforawsresource"}),
        "111122223333",
    )


SNS_STATEMENT = Statement(
    "Allow",
    ["kms:GenerateDataKey*", "kms:Decrypt"],
    None,
    ["*"],
    None,
    {"Service": ["sns.amazonaws.com"]},
)


def test_a_service_principal_needs_the_key_policy_itself() -> None:
    root_only = [_root_statement("arn:aws:iam::111122223333:root")]
    assert _service(root_only, "sns.amazonaws.com").value is False
    assert _service([*root_only, SNS_STATEMENT], "sns.amazonaws.com").value is True
    assert _service([*root_only, SNS_STATEMENT], "events.amazonaws.com").value is False


def test_a_source_condition_is_evaluated_on_the_reference_the_plan_shows() -> None:
    topic = Unknown.of_reference("aws_sns_topic.t.arn")
    scoped = Statement(
        "Allow",
        ["kms:GenerateDataKey*", "kms:Decrypt"],
        None,
        ["*"],
        None,
        {"Service": ["sns.amazonaws.com"]},
        conditions=[Condition("ArnEquals", "aws:SourceArn", (topic,))],
    )
    assert _service([scoped], "sns.amazonaws.com", topic).value is True
    other = "arn:aws:sns:us-east-1:111122223333:other"
    assert _service([scoped], "sns.amazonaws.com", other).value is None  # the topic's ARN may be it
    known = Condition("ArnEquals", "aws:SourceArn", ("arn:aws:sns:us-east-1:111122223333:t",))
    fixed = Statement(**{**scoped.__dict__, "conditions": [known]})
    assert _service([fixed], "sns.amazonaws.com", other).value is False
    assert _service([scoped], "sns.amazonaws.com").value is None  # the source is not known


def _stack(tmp_path: Path, body: str) -> set[tuple[str, str, str]]:
    (tmp_path / "main.tf").write_text(PROVIDER + body, encoding="utf-8")
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.checker]\npacks = ["wiring"]\n', encoding="utf-8")
    return findings_of(check_plan(tmp_path, config=config), only=("WIR005",))


PROVIDER = """provider "aws" {
  region = "us-east-1"
}

data "aws_caller_identity" "current" {}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

"""
PUBLISH = """resource "aws_sns_topic" "t" {
  name              = "t"
  kms_master_key_id = aws_kms_alias.k.name
}

resource "aws_kms_alias" "k" {
  name          = "alias/k"
  target_key_id = aws_kms_key.k.key_id
}

resource "aws_iam_role_policy" "app" {
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [STATEMENTS]
  })
}
"""
PUBLISHES = '{ Effect = "Allow", Action = "sns:Publish", Resource = aws_sns_topic.t.arn }'
USES_KEY = (
    '{ Effect = "Allow", Action = ["kms:GenerateDataKey", "kms:Decrypt"], '
    "Resource = aws_kms_key.k.arn }"
)


def test_a_key_without_policy_lets_iam_decide_through_its_alias(tmp_path: Path) -> None:
    key = 'resource "aws_kms_key" "k" {\n  description = "k"\n}\n\n'
    body = key + PUBLISH.replace("STATEMENTS", f"{PUBLISHES}, {USES_KEY}")
    assert _stack(tmp_path, body) == {("WIR005", "aws_iam_role.app", "passed")}
    body = key + PUBLISH.replace("STATEMENTS", PUBLISHES)
    assert _stack(tmp_path, body) == {("WIR005", "aws_iam_role.app", "failed")}


def test_a_key_policy_without_the_root_refuses_the_role_whatever_iam_says(tmp_path: Path) -> None:
    key = """resource "aws_kms_key" "k" {
  description = "k"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow", Principal = { Service = "sns.amazonaws.com" }
      Action = ["kms:GenerateDataKey*", "kms:Decrypt"], Resource = "*"
    }]
  })
}

"""
    body = key + PUBLISH.replace("STATEMENTS", f"{PUBLISHES}, {USES_KEY}")
    assert _stack(tmp_path, body) == {("WIR005", "aws_iam_role.app", "failed")}


def test_a_grant_on_every_topic_alike_is_not_judged(tmp_path: Path) -> None:
    key = 'resource "aws_kms_key" "k" {\n  description = "k"\n}\n\n'
    anything = '{ Effect = "Allow", Action = "sns:*", Resource = "*" }'
    assert _stack(tmp_path, key + PUBLISH.replace("STATEMENTS", anything)) == set()


def test_a_key_of_another_stack_is_unknown(tmp_path: Path) -> None:
    body = PUBLISH.replace(
        "aws_kms_alias.k.name", '"arn:aws:kms:us-east-1:111122223333:key/1234abcd"'
    ).replace("STATEMENTS", PUBLISHES)
    body = body.replace(
        'resource "aws_kms_alias" "k" {\n  name          = "alias/k"\n'
        "  target_key_id = aws_kms_key.k.key_id\n}\n",
        "",
    )
    assert _stack(tmp_path, body) == {("WIR005", "aws_iam_role.app", "unknown")}


def test_log_groups_are_left_to_tap003(tmp_path: Path) -> None:
    """A log group's key without a CloudWatch Logs statement is TAP003's finding alone."""
    body = """resource "aws_kms_key" "k" {
  description = "k"
}

resource "aws_cloudwatch_log_group" "g" {
  name       = "g"
  kms_key_id = aws_kms_key.k.arn
}
"""
    assert _stack(tmp_path, body) == set()


S3_MAY_USE_THE_KEY = """    {
      Sid       = "InboxNotifies"
      Effect    = "Allow"
      Principal = { Service = "s3.amazonaws.com" }
      Action    = ["kms:GenerateDataKey*", "kms:Decrypt"]
      Resource  = "*"
      Condition = { ArnLike = { "aws:SourceArn" = aws_s3_bucket.inbox.arn } }
    },
  ]
}"""


def test_a_statement_scoped_to_the_bucket_lets_s3_notify(tmp_path: Path) -> None:
    """The planted S3 mutation, fixed in the key policy: the source condition holds."""
    planted = next(m for m in EVENTS_KEYS if m.id == "wir005-s3-to-topic-key-without-s3")
    fixed = StackMutation(
        "fixed",
        "WIR005",
        "",
        (*planted.edits, ("main.tf", "  ]\n}", S3_MAY_USE_THE_KEY)),
        frozenset(),
    )
    directory = EVENTS.write(tmp_path / "stack", fixed)
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.checker]\npacks = ["wiring"]\n', encoding="utf-8")
    found = findings_of(check_plan(directory, config=config), only=("WIR005",))
    assert found == {("WIR005", "aws_s3_bucket_notification.inbox", "passed")}


CASES: list[tuple[Stack, StackMutation | None]] = [
    (EVENTS, None),
    (HTTPAPI, None),
    *((EVENTS, m) for m in EVENTS_KEYS),
    *((HTTPAPI, m) for m in HTTPAPI_KEYS),
]


@pytest.mark.parametrize(
    ("stack", "mutation"), CASES, ids=lambda c: getattr(c, "id", getattr(c, "name", ""))
)
def test_family_mutations_fail_as_listed_statically(
    tmp_path: Path, stack: Stack, mutation: StackMutation | None
) -> None:
    """With the .tf files (sources bound): exactly the listed failures, none when clean."""
    directory = stack.write(tmp_path / "stack", mutation)
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.checker]\npacks = ["wiring"]\n', encoding="utf-8")
    found = failures(check_plan(directory, config=config).findings)
    assert found == (mutation.fails if mutation else set())


KEY = 'resource "aws_kms_key" "k" {\n  description = "k"\n}\n\n'
STREAM = """resource "aws_kinesis_stream" "s" {
  name            = "s"
  shard_count     = 1
  encryption_type = "KMS"
  kms_key_id      = aws_kms_key.k.arn
}
"""
SECRET = """resource "aws_secretsmanager_secret" "s" {
  name       = "s"
  kms_key_id = aws_kms_key.k.arn
}
"""
POLICY = """resource "aws_iam_role_policy" "app" {
  role = aws_iam_role.app.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [STATEMENTS] })
}
"""


@pytest.mark.parametrize(
    ("resource", "action", "kms", "verdict"),
    [
        (STREAM, "kinesis:PutRecord", "kms:GenerateDataKey", "passed"),
        (STREAM, "kinesis:PutRecord", "kms:Decrypt", "failed"),  # a producer encrypts
        (STREAM, "kinesis:GetRecords", "kms:Decrypt", "passed"),
        (SECRET, "secretsmanager:GetSecretValue", "kms:Decrypt", "passed"),
        (SECRET, "secretsmanager:GetSecretValue", "kms:Encrypt", "failed"),
    ],
)
def test_streams_and_secrets_under_a_customer_key(
    tmp_path: Path, resource: str, action: str, kms: str, verdict: str
) -> None:
    """A stream's producer needs kms:GenerateDataKey and its consumer kms:Decrypt; a secret's
    reader kms:Decrypt (Kinesis and Secrets Manager key permissions)."""
    address = resource.split('"')[1] + "." + resource.split('"')[3]
    statements = (
        f'{{ Effect = "Allow", Action = "{action}", Resource = {address}.arn }}, '
        f'{{ Effect = "Allow", Action = "{kms}", Resource = aws_kms_key.k.arn }}'
    )
    body = KEY + resource + POLICY.replace("STATEMENTS", statements)
    assert _stack(tmp_path, body) == {("WIR005", "aws_iam_role.app", verdict)}


LAUNCH = """resource "aws_launch_template" "web" {
  name_prefix = "web"
  image_id    = "ami-12345678"
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      encrypted  = true
      kms_key_id = aws_kms_key.k.arn
    }
  }
}

resource "aws_autoscaling_group" "web" {
  min_size           = 1
  max_size           = 1
  availability_zones = ["us-east-1a"]
  launch_template {
    id = aws_launch_template.web.id
  }
}
"""
SLR = (
    '"arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/'
    'autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"'
)
KEY_FOR = """resource "aws_kms_key" "k" {
  description = "k"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      EXTRA
    ]
  })
}

"""
USE = (
    '{ Effect = "Allow", Principal = { AWS = SLR }, Action = ["kms:Encrypt", "kms:Decrypt", '
    '"kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource = "*" }'
)
GRANT = (
    '{ Effect = "Allow", Principal = { AWS = SLR }, Action = "kms:CreateGrant", Resource = "*", '
    'Condition = { Bool = { "kms:GrantIsForAWSResource" = true } } }'
)


@pytest.mark.parametrize(
    ("extra", "verdict"),
    [
        (f"{USE}, {GRANT}", "passed"),
        (USE, "failed"),  # no CreateGrant: the volume cannot be attached
        ('{ Sid = "Nothing", Effect = "Deny", Principal = "*", Action = "kms:Sign", Resource = "*" }', "failed"),  # the root alone: the role's policy grants no KMS
    ],
)  # fmt: skip
def test_auto_scaling_launches_volumes_as_its_service_linked_role(
    tmp_path: Path, extra: str, verdict: str
) -> None:
    key = KEY_FOR.replace("EXTRA", extra.replace("SLR", SLR))
    found = _stack(tmp_path, key + LAUNCH)
    assert found == {("WIR005", "aws_autoscaling_group.web", verdict)}
