"""The policy evaluator against AWS's published evaluation logic (checker/core/evaluation.py).

Each case names the AWS document it follows:
- EVAL: IAM User Guide, "Policy evaluation logic"
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
- OPS: "IAM JSON policy elements: Condition operators"
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- MULTI: "Conditions with multiple context keys or values"
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
- KMS: AWS KMS Developer Guide, "Key policies in AWS KMS" (default key policy: the root
  statement lets IAM policies grant)
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
- BOUNDARY: "Permissions boundaries for IAM entities"
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
"""

from __future__ import annotations

import json

import pytest

from checker.core.evaluation import (
    Policies,
    Request,
    Verdict,
    condition_holds,
    evaluate,
)
from checker.core.iam import HIDDEN, Condition, Statement, statements_from_json
from checker.core.matching import arn_match, glob_match

pytestmark = pytest.mark.fast

ROLE = "arn:aws:iam::111122223333:role/processor"
ROOT = ("AWS", "arn:aws:iam::111122223333:root")
TABLE = "arn:aws:dynamodb:us-east-1:111122223333:table/records"


def policy(*statements: dict[str, object]) -> list[Statement]:
    parsed = statements_from_json(json.dumps({"Statement": list(statements)}), "test")
    assert parsed is not None
    return parsed


def allow(action: object, resource: object = "*", **extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: object, resource: object = "*", **extra: object) -> dict[str, object]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def call(action: str, resource: str = TABLE, **context: object) -> Request:
    values = {k.replace("__", ":"): v if isinstance(v, tuple) else (v,) for k, v in context.items()}
    return Request(action, resource, ("AWS", ROLE), values)


# ------------------------------------------------------------------ EVAL


def test_an_explicit_deny_overrides_any_allow() -> None:  # EVAL
    identity = policy(allow("dynamodb:*", TABLE), deny("dynamodb:UpdateItem"))
    decision = evaluate(call("dynamodb:UpdateItem"), Policies(identity=identity))
    assert decision.verdict == Verdict.DENIED
    assert "statement 1" in decision.reason
    assert (
        evaluate(call("dynamodb:PutItem"), Policies(identity=identity)).verdict == Verdict.ALLOWED
    )


def test_nothing_applies_is_an_implicit_deny() -> None:  # EVAL
    identity = policy(allow("dynamodb:GetItem", TABLE))
    assert (
        evaluate(call("dynamodb:PutItem"), Policies(identity=identity)).verdict == Verdict.IMPLICIT
    )


def test_resources_must_cover_the_called_arn() -> None:  # EVAL: Resource element matching
    identity = policy(allow("dynamodb:Query", TABLE))
    index = f"{TABLE}/index/by-status"
    assert evaluate(call("dynamodb:Query", index), Policies(identity=identity)).allowed is False
    with_index = policy(allow("dynamodb:Query", [TABLE, f"{TABLE}/index/*"]))
    assert evaluate(call("dynamodb:Query", index), Policies(identity=with_index)).allowed is True


def test_not_action_and_not_resource() -> None:  # EVAL / "NotAction", "NotResource"
    identity = policy(
        {"Effect": "Allow", "NotAction": "dynamodb:DeleteTable", "Resource": TABLE},
        {"Effect": "Deny", "Action": "dynamodb:*", "NotResource": [TABLE, f"{TABLE}/*"]},
    )
    assert evaluate(call("dynamodb:PutItem"), Policies(identity=identity)).allowed is True
    assert evaluate(call("dynamodb:DeleteTable"), Policies(identity=identity)).allowed is False
    other = "arn:aws:dynamodb:us-east-1:111122223333:table/other"
    assert evaluate(call("dynamodb:PutItem", other), Policies(identity=identity)).verdict == (
        Verdict.DENIED
    )


def test_a_boundary_limits_what_identity_policies_grant() -> None:  # BOUNDARY
    identity = policy(allow("dynamodb:*", TABLE))
    boundary = policy(allow(["dynamodb:GetItem", "dynamodb:Query"]))
    policies = Policies(identity=identity, boundary=boundary)
    assert evaluate(call("dynamodb:Query"), policies).allowed is True
    assert evaluate(call("dynamodb:PutItem"), policies).verdict == Verdict.IMPLICIT


def test_a_deny_in_a_boundary_denies() -> None:  # BOUNDARY + EVAL
    policies = Policies(
        identity=policy(allow("dynamodb:*", TABLE)),
        boundary=policy(allow("*"), deny("dynamodb:PutItem")),
    )
    assert evaluate(call("dynamodb:PutItem"), policies).verdict == Verdict.DENIED


def test_a_bucket_policy_grants_within_the_account() -> None:  # EVAL: resource-based policies
    bucket_policy = policy(allow("s3:PutObject", "arn:aws:s3:::uploads/*", Principal={"AWS": ROLE}))
    request = Request("s3:PutObject", "arn:aws:s3:::uploads/a.json", ("AWS", ROLE))
    assert evaluate(request, Policies(resource=bucket_policy)).allowed is True
    assert evaluate(request, Policies()).allowed is False


def test_a_key_policy_must_allow_directly_or_trust_the_account() -> None:  # KMS
    key = "arn:aws:kms:us-east-1:111122223333:key/1234"
    request = Request("kms:Decrypt", key, ("AWS", ROLE))
    identity = policy(allow("kms:Decrypt", key))
    root_only = policy(allow("kms:*", Principal={"AWS": ROOT[1]}))
    no_root = policy(allow("kms:Encrypt", Principal={"AWS": ROLE}))

    def kms(identity: list[Statement], key_policy: list[Statement]) -> Policies:
        return Policies(identity, resource=key_policy, key_policy=True, account_root=ROOT)

    assert evaluate(request, kms(identity, root_only)).allowed is True
    assert evaluate(request, kms([], root_only)).allowed is False
    # an IAM policy alone does not open a key whose policy does not trust the account
    assert evaluate(request, kms(identity, no_root)).allowed is False


def test_a_service_principal_is_matched_by_name() -> None:  # EVAL, principal element
    key_policy = policy(allow("kms:Encrypt", Principal={"Service": "logs.us-east-1.amazonaws.com"}))
    logs = Request("kms:Encrypt", "*", ("Service", "logs.us-east-1.amazonaws.com"))
    other = Request("kms:Encrypt", "*", ("Service", "logs.eu-west-1.amazonaws.com"))
    assert evaluate(logs, Policies(resource=key_policy, key_policy=True)).allowed is True
    assert evaluate(other, Policies(resource=key_policy, key_policy=True)).allowed is False


# ------------------------------------------------------------------ OPS / MULTI


def cond(operator: str, key: str, *values: object) -> Condition:
    return Condition(operator, key, values)


VIA = "kms:ViaService"


@pytest.mark.parametrize(
    ("operator", "context", "holds"),
    [
        ("StringEquals", {VIA: ("lambda.us-east-1.amazonaws.com",)}, True),
        ("StringEquals", {VIA: ("ec2.us-east-1.amazonaws.com",)}, False),
        ("StringEquals", {}, False),  # OPS: a key absent from the request does not match
        ("StringEqualsIfExists", {}, True),  # OPS ...IfExists: absent key, condition true
        ("StringEqualsIfExists", {VIA: ("ec2.us-east-1.amazonaws.com",)}, False),
        ("StringNotEquals", {}, True),  # OPS: a negated operator on an absent key is true
        ("ForAnyValue:StringEquals", {}, False),  # MULTI: ForAnyValue on an empty set
        ("ForAllValues:StringEquals", {}, True),  # MULTI: ForAllValues on an empty set
    ],
)
def test_string_operators_and_absent_keys(
    operator: str, context: dict[str, tuple[object, ...]], holds: bool
) -> None:
    condition = cond(operator, VIA, "lambda.us-east-1.amazonaws.com")
    assert condition_holds(condition, Request("kms:CreateGrant", context=context)) is holds


def test_a_negated_operator_with_several_values_is_a_nor() -> None:  # MULTI
    condition = cond("StringNotEquals", "aws:SourceVpce", "vpce-1", "vpce-2")
    assert (
        condition_holds(condition, Request("s3:GetObject", context={"aws:SourceVpce": ("vpce-2",)}))
        is False
    )
    assert (
        condition_holds(condition, Request("s3:GetObject", context={"aws:SourceVpce": ("vpce-3",)}))
        is True
    )


def test_for_all_values_needs_every_request_value() -> None:  # MULTI
    condition = cond("ForAllValues:StringLike", "aws:TagKeys", "team", "env*")
    good = Request("x:Y", context={"aws:TagKeys": ("team", "environment")})
    bad = Request("x:Y", context={"aws:TagKeys": ("team", "owner")})
    assert condition_holds(condition, good) is True
    assert condition_holds(condition, bad) is False


def test_null_tests_presence() -> None:  # OPS: Null condition operator
    absent = cond("Null", "aws:SourceArn", "true")
    assert condition_holds(absent, Request("x:Y")) is True
    assert condition_holds(absent, Request("x:Y", context={"aws:SourceArn": ("arn",)})) is False


def test_bool_numeric_date_ip_binary() -> None:  # OPS, one per family
    plain_http = Request("s3:GetObject", context={"aws:SecureTransport": ("false",)})
    assert condition_holds(cond("Bool", "aws:SecureTransport", "false"), plain_http) is True
    assert condition_holds(cond("Bool", "aws:SecureTransport", False), plain_http) is True
    tls11 = Request("s3:GetObject", context={"s3:TlsVersion": ("1.1",)})
    assert condition_holds(cond("NumericLessThan", "s3:TlsVersion", "1.2"), tls11) is True
    assert condition_holds(cond("NumericGreaterThanEquals", "s3:TlsVersion", "1.2"), tls11) is False
    late = Request("x:Y", context={"aws:CurrentTime": ("2026-12-06T12:00:00Z",)})
    assert (
        condition_holds(cond("DateGreaterThan", "aws:CurrentTime", "2026-01-01T00:00:00Z"), late)
        is True
    )
    assert condition_holds(cond("DateLessThan", "aws:CurrentTime", "1735689600"), late) is False
    ip = Request("x:Y", context={"aws:SourceIp": ("203.0.113.7",)})
    assert condition_holds(cond("IpAddress", "aws:SourceIp", "203.0.113.0/24"), ip) is True
    assert condition_holds(cond("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"), ip) is False
    blob = Request("x:Y", context={"k": ("QUJD",)})
    assert condition_holds(cond("BinaryEquals", "k", "QUJD"), blob) is True


def test_arn_operators_match_each_part() -> None:  # OPS: ARN condition operators
    logs = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/processor"
    assert arn_match("arn:aws:logs:us-east-1:111122223333:*", logs) is True
    assert arn_match("arn:aws:logs:us-west-2:111122223333:*", logs) is False
    # a region pinned to another region never matches, whatever the hidden account is
    hidden_account = (
        "arn:aws:logs:us-east-1:${data.aws_caller_identity.current.account_id}:log-group:x"
    )
    assert arn_match("arn:aws:logs:us-west-2:*:*", hidden_account) is False
    assert arn_match("arn:aws:logs:us-east-1:111122223333:*", hidden_account) is None


def test_wildcards_are_only_star_and_question_mark() -> None:  # OPS: StringLike
    assert glob_match("arn:aws:s3:::b[1]/*", "arn:aws:s3:::b[1]/k") is True
    assert glob_match("arn:aws:s3:::b?/*", "arn:aws:s3:::b1/k") is True
    assert glob_match("arn:aws:s3:::b/*", "arn:aws:s3:::B/k") is False


def test_unknown_operator_never_holds_silently() -> None:
    assert (
        condition_holds(cond("StringEqualz", VIA, "x"), Request("x:Y", context={VIA: ("x",)}))
        is None
    )


# ------------------------------------------------------------------ hidden values


def test_a_hidden_resource_is_decided_by_star_and_undecided_otherwise() -> None:
    star = policy(allow("dynamodb:PutItem"))
    table = policy(allow("dynamodb:PutItem", TABLE))
    hidden = Request("dynamodb:PutItem", HIDDEN, ("AWS", ROLE))
    assert evaluate(hidden, Policies(identity=star)).allowed is True
    decision = evaluate(hidden, Policies(identity=table))
    assert decision.verdict == Verdict.UNKNOWN
    assert "the ARN" in decision.reason


def test_a_deny_that_may_apply_makes_an_allow_unknown() -> None:
    identity = policy(
        allow("dynamodb:PutItem", TABLE),
        deny("dynamodb:PutItem", Condition={"StringNotEquals": {"aws:SourceVpce": "${var.vpce}"}}),
    )
    request = call("dynamodb:PutItem", **{"aws__SourceVpce": "vpce-1"})
    decision = evaluate(request, Policies(identity=identity))
    assert decision.verdict == Verdict.UNKNOWN
    assert "aws:SourceVpce" in decision.reason


def test_an_open_request_leaves_conditions_on_missing_keys_undecided() -> None:
    condition = cond("StringEquals", VIA, "lambda.us-east-1.amazonaws.com")
    assert condition_holds(condition, Request("kms:CreateGrant", closed=False)) is None
