"""Unit tests of `checker.core.iam`: statements read from policy documents, wildcards,
principals, conditions; and, through `checker.core.evaluation`, Deny precedence.

AWS references cited below:
- EVAL: IAM User Guide, "Policy evaluation logic",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
- ELEMENTS: IAM User Guide, "IAM JSON policy elements reference",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
- CONDITIONS: IAM User Guide, "IAM JSON policy elements: Condition operators",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import json

import pytest

from checker.core import iam
from checker.core.evaluation import Policies, Request, Verdict, evaluate
from checker.core.iam import HIDDEN, Condition, Hidden, Statement

pytestmark = pytest.mark.fast


def _one(document: dict[str, object]) -> Statement:
    statements = iam.statements_from_object(document, "doc")
    assert statements is not None and len(statements) == 1
    return statements[0]


# ------------------------------------------------------------------ parsing


def test_a_single_statement_object_reads_as_one_statement_with_lists() -> None:
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Sid": "Put",
                "Effect": "Allow",
                "Action": "dynamodb:PutItem",
                "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/t",
            },
        }
    )
    (stmt,) = iam.statements_from_json(text, "aws_iam_role_policy.p") or []
    assert stmt.effect == "Allow" and stmt.allows and not stmt.denies
    assert stmt.actions == ["dynamodb:PutItem"]
    assert stmt.not_actions is None
    assert stmt.resources == ["arn:aws:dynamodb:us-east-1:111122223333:table/t"]
    assert stmt.not_resources is None
    assert (stmt.origin, stmt.index, stmt.sid) == ("aws_iam_role_policy.p", 0, "Put")


def test_statements_keep_their_order_and_index() -> None:
    statements = iam.statements_from_object(
        {"Statement": [{"Effect": "Allow", "Action": "a:X"}, {"Effect": "Deny", "Action": "a:Y"}]},
        "o",
    )
    assert statements is not None
    assert [(s.index, s.effect, s.actions) for s in statements] == [
        (0, "Allow", ["a:X"]),
        (1, "Deny", ["a:Y"]),
    ]


def test_effect_is_compared_case_insensitively() -> None:
    assert Statement(effect="DENY").denies
    assert Statement(effect="allow").allows
    assert not Statement(effect="").allows and not Statement(effect="").denies


def test_not_action_and_not_resource_are_kept_apart_from_action_and_resource() -> None:
    stmt = _one(
        {"Statement": [{"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["a", "b"]}]}
    )
    assert stmt.actions is None and stmt.not_actions == ["iam:*"]
    assert stmt.resources is None and stmt.not_resources == ["a", "b"]


def test_a_hidden_resource_stays_hidden_rather_than_becoming_a_list() -> None:
    stmt = _one({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": HIDDEN}]})
    assert stmt.resources is HIDDEN


@pytest.mark.parametrize(
    "text",
    ["not json", '"a string"', "[1, 2]", '{"Statement": ["not an object"]}'],
    ids=["bad-json", "string", "list", "statement-not-object"],
)
def test_unreadable_documents_are_none(text: str) -> None:
    assert iam.statements_from_json(text, "o") is None


def test_a_hidden_statement_list_is_unreadable() -> None:
    assert iam.statements_from_object({"Statement": HIDDEN}, "o") is None


def test_a_document_without_statements_has_none() -> None:
    assert iam.statements_from_object({"Version": "2012-10-17"}, "o") == []


def test_principal_forms() -> None:
    # ELEMENTS, "Principal": "*" (everyone), an ARN string (the AWS kind), or a map of kinds.
    assert iam.json_principal("*") == "*"
    assert iam.json_principal("arn:aws:iam::111122223333:root") == {
        "AWS": ["arn:aws:iam::111122223333:root"]
    }
    assert iam.json_principal({"Service": "logs.amazonaws.com"}) == {
        "Service": ["logs.amazonaws.com"]
    }
    assert iam.json_principal(None) is None
    assert iam.json_principal(HIDDEN) is HIDDEN


def test_conditions_are_flattened_to_operator_key_values() -> None:
    conditions = iam.json_conditions(
        {
            "StringEquals": {"aws:SourceAccount": "111122223333", "kms:ViaService": ["a", "b"]},
            "Bool": {"aws:SecureTransport": False},
        }
    )
    assert conditions == [
        Condition("StringEquals", "aws:SourceAccount", ("111122223333",)),
        Condition("StringEquals", "kms:ViaService", ("a", "b")),
        Condition("Bool", "aws:SecureTransport", (False,)),
    ]


def test_a_hidden_condition_block_hides_every_condition() -> None:
    assert iam.json_conditions({"StringEquals": HIDDEN}) is HIDDEN
    assert iam.json_conditions(None) == []


def test_principal_blocks_merge_by_type() -> None:
    blocks = [
        {"type": "AWS", "identifiers": ["arn:a"]},
        {"type": "Service", "identifiers": ["lambda.amazonaws.com"]},
        {"type": "AWS", "identifiers": "arn:b"},
    ]
    assert iam.block_principals(blocks) == {
        "AWS": ["arn:a", "arn:b"],
        "Service": ["lambda.amazonaws.com"],
    }
    assert iam.block_principals([{"type": "*", "identifiers": ["*"]}]) == "*"
    assert iam.block_principals([]) is None
    assert iam.block_principals([{"type": HIDDEN, "identifiers": []}]) is HIDDEN


def test_condition_blocks_read_test_variable_values() -> None:
    blocks = [{"test": "ArnLike", "variable": "aws:SourceArn", "values": ["arn:x"]}]
    assert iam.block_conditions(blocks) == [Condition("ArnLike", "aws:SourceArn", ("arn:x",))]
    assert iam.block_conditions([{"test": HIDDEN, "variable": "k", "values": []}]) is HIDDEN
    assert isinstance(iam.block_conditions([{"test": 1, "variable": "k"}]), Hidden)


def test_listish_is_none_when_unset_or_empty() -> None:
    assert iam.listish(None) is None
    assert iam.listish([]) is None
    assert iam.listish("s3:GetObject") == ["s3:GetObject"]


# ---------------------------------------------------- merging policy documents


def test_merge_replaces_a_statement_of_the_same_sid_in_place() -> None:
    # terraform-provider-aws IAMPolicyDoc.Merge: a Sid replaces the earlier statement.
    base = [Statement("Allow", ["a:1"], sid="S"), Statement("Allow", ["a:2"])]
    override = [Statement("Deny", ["a:3"], sid="S"), Statement("Allow", ["a:4"])]
    merged, complete = iam.merge_documents([base, override])
    assert complete
    assert [(s.effect, s.actions) for s in merged] == [
        ("Deny", ["a:3"]),
        ("Allow", ["a:2"]),
        ("Allow", ["a:4"]),
    ]


def test_a_hidden_part_drops_earlier_statements_it_could_replace() -> None:
    sidless, named = Statement("Allow", ["a:1"]), Statement("Allow", ["a:2"], sid="S")
    merged, complete = iam.merge_documents([[sidless, named], None])
    assert not complete
    assert merged == [sidless]


def test_a_statement_with_a_hidden_sid_drops_earlier_named_statements() -> None:
    named, unnamed = Statement("Allow", ["a:1"], sid="S"), Statement("Allow", ["a:2"])
    late = Statement("Allow", ["a:3"], sid=HIDDEN)
    merged, complete = iam.merge_documents([[named, unnamed], [late]])
    assert complete
    assert merged == [unnamed, late]


# ----------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("s3:GetObject", "s3:GetObject", True),
        ("s3:Get*", "s3:GetObjectAcl", True),
        ("S3:GETOBJECT", "s3:getobject", True),  # action names are case-insensitive (ELEMENTS)
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Get?bject", "s3:GetOObject", False),
        ("*", "kms:Decrypt", True),
        ("s3:Put*", "s3:GetObject", False),
        ("dynamodb:*", "dynamodbx:PutItem", False),
    ],
)
def test_match_is_an_iam_wildcard_match(pattern: str, value: str, expected: bool) -> None:
    assert iam.match(pattern, value) is expected


def test_match_on_a_hidden_pattern_is_undecided_and_a_non_string_never_matches() -> None:
    assert iam.match(HIDDEN, "s3:GetObject") is None
    assert iam.match(42, "s3:GetObject") is False


def test_tri_state_any_and_all() -> None:
    assert iam.any_true([False, None, True]) is True
    assert iam.any_true([False, None]) is None
    assert iam.any_true([]) is False
    assert iam.all_true([True, None, False]) is False
    assert iam.all_true([True, None]) is None
    assert iam.all_true([]) is True


def test_action_covered_by_action_list() -> None:
    stmt = Statement("Allow", actions=["s3:GetObject", "s3:Put*"])
    assert iam.action_covered(stmt, "s3:PutObject") is True
    assert iam.action_covered(stmt, "s3:DeleteObject") is False
    assert iam.action_covered(Statement("Allow", actions=["s3:*", HIDDEN]), "s3:X") is True
    assert iam.action_covered(Statement("Allow", actions=[HIDDEN]), "s3:X") is None


def test_not_action_covers_everything_it_does_not_list() -> None:
    # ELEMENTS, "NotAction": the statement matches every action except those listed.
    stmt = Statement("Deny", not_actions=["iam:*", "sts:AssumeRole"])
    assert iam.action_covered(stmt, "s3:GetObject") is True
    assert iam.action_covered(stmt, "iam:CreateUser") is False
    assert iam.action_covered(stmt, "STS:assumerole") is False
    assert iam.action_covered(Statement("Deny", not_actions=[HIDDEN]), "s3:X") is None


def test_a_statement_without_action_or_not_action_covers_nothing() -> None:
    assert iam.action_covered(Statement("Allow"), "s3:GetObject") is False


def test_a_required_wildcard_needs_every_action_it_stands_for() -> None:
    """`kms:GenerateDataKey*` is four actions in the Service Authorization Reference."""
    only_one = Statement("Allow", actions=["kms:GenerateDataKey"])
    all_four = Statement("Allow", actions=["kms:GenerateDataKey*"])
    assert iam.actions_covered(only_one, "kms:GenerateDataKey*") is False
    assert iam.actions_covered(all_four, "kms:GenerateDataKey*") is True
    assert iam.actions_covered(only_one, "kms:GenerateDataKey") is True


def test_is_wildcard_action() -> None:
    assert iam.is_wildcard_action("*", "s3")
    assert iam.is_wildcard_action("S3:*", "s3")
    assert not iam.is_wildcard_action("s3:Get*", "s3")
    assert not iam.is_wildcard_action(HIDDEN, "s3")


# --------------------------------------------------------------- principals


def test_principal_matches_by_kind_and_identifier() -> None:
    stmt = Statement(
        "Allow", principals={"Service": ["logs.us-east-1.amazonaws.com"], "AWS": ["arn:r"]}
    )
    assert iam.principal_matches(stmt, "service", "LOGS.us-east-1.amazonaws.com") is True
    assert iam.principal_matches(stmt, "Service", "lambda.amazonaws.com") is False
    assert iam.principal_matches(stmt, "AWS", "arn:r") is True
    assert iam.principal_matches(stmt, "Federated", "arn:r") is False


def test_principal_matches_star_none_and_hidden() -> None:
    assert iam.principal_matches(Statement("Allow", principals="*"), "AWS", "x") is True
    assert iam.principal_matches(Statement("Allow"), "AWS", "x") is False
    assert iam.principal_matches(Statement("Allow", principals=HIDDEN), "AWS", "x") is None
    hidden_id = Statement("Allow", principals={"AWS": [HIDDEN]})
    assert iam.principal_matches(hidden_id, "AWS", "x") is None
    star_id = Statement("Allow", principals={"AWS": ["*"]})
    assert iam.principal_matches(star_id, "AWS", "arn:anyone") is True


def test_principal_is_everyone() -> None:
    assert iam.principal_is_everyone(Statement("Allow", principals="*")) is True
    assert iam.principal_is_everyone(Statement("Allow", principals={"AWS": ["*"]})) is True
    assert iam.principal_is_everyone(Statement("Allow", principals={"AWS": ["arn:r"]})) is False
    assert iam.principal_is_everyone(Statement("Allow", principals=HIDDEN)) is None
    assert iam.principal_is_everyone(Statement("Allow")) is False


# --------------------------------------------------------------- conditions


@pytest.mark.parametrize(
    ("operator", "base"),
    [
        ("StringEquals", "stringequals"),
        ("StringEqualsIfExists", "stringequals"),
        ("ForAnyValue:StringLike", "stringlike"),
        ("ForAllValues:ArnLikeIfExists", "arnlike"),
        ("Bool", "bool"),
    ],
)
def test_operator_base(operator: str, base: str) -> None:
    assert iam.operator_base(operator) == base


def test_condition_requires_a_pinned_value() -> None:
    stmt = Statement(
        "Allow", conditions=[Condition("StringEquals", "kms:ViaService", ("S3.us-east-1.x",))]
    )
    assert iam.condition_requires(stmt, "KMS:viaservice", "s3.us-east-1.x") is True
    assert iam.condition_requires(stmt, "kms:ViaService", "dynamodb.x") is False
    assert iam.condition_requires(stmt, "aws:SourceArn", "s3.us-east-1.x") is False


def test_an_if_exists_condition_pins_nothing() -> None:
    # CONDITIONS, "...IfExists condition operators": a request without the key satisfies it.
    stmt = Statement(
        "Deny", conditions=[Condition("BoolIfExists", "aws:SecureTransport", ("false",))]
    )
    assert iam.condition_requires(stmt, "aws:SecureTransport", "false") is False


def test_a_bool_condition_reads_json_booleans_as_text() -> None:
    stmt = Statement("Deny", conditions=[Condition("Bool", "aws:SecureTransport", (False,))])
    assert iam.condition_requires(stmt, "aws:SecureTransport", "false") is True
    assert iam.condition_requires(stmt, "aws:SecureTransport", "true") is False


def test_condition_requires_every_listed_value_to_be_the_expected_one() -> None:
    two = Statement("Allow", conditions=[Condition("StringEquals", "k", ("a", "b"))])
    assert iam.condition_requires(two, "k", "a") is False
    hidden = Statement("Allow", conditions=[Condition("StringEquals", "k", ("a", HIDDEN))])
    assert iam.condition_requires(hidden, "k", "a") is None


def test_numeric_operators_pin_nothing_and_hidden_conditions_are_undecided() -> None:
    numeric = Statement("Allow", conditions=[Condition("NumericEquals", "k", ("1",))])
    assert iam.condition_requires(numeric, "k", "1") is False
    assert iam.condition_requires(Statement("Allow", conditions=HIDDEN), "k", "1") is None


def test_has_condition_key() -> None:
    stmt = Statement("Allow", conditions=[Condition("ArnLike", "aws:SourceArn", ("arn:x",))])
    assert iam.has_condition_key(stmt, "AWS:SOURCEARN") is True
    assert iam.has_condition_key(stmt, "aws:SourceAccount") is False
    assert iam.has_condition_key(Statement("Allow", conditions=HIDDEN), "k") is None


# -------------------------------------- Deny precedence (checker.core.evaluation)

TABLE = "arn:aws:dynamodb:us-east-1:111122223333:table/t"
PUT = Request("dynamodb:PutItem", TABLE)


def test_an_explicit_deny_overrides_an_allow() -> None:
    # EVAL: "An explicit deny in any of these policies overrides the allow."
    allow = Statement("Allow", ["dynamodb:*"], resources=["*"], origin="p", index=0)
    deny = Statement("Deny", ["dynamodb:PutItem"], resources=[TABLE], origin="p", index=1)
    decision = evaluate(PUT, Policies(identity=[allow, deny]))
    assert decision.verdict is Verdict.DENIED
    assert decision.statement is deny
    assert decision.reason == "p statement 1 denies dynamodb:PutItem"
    assert decision.allowed is False


def test_a_deny_of_another_resource_leaves_the_allow() -> None:
    allow = Statement("Allow", ["dynamodb:PutItem"], resources=[TABLE])
    deny = Statement("Deny", ["dynamodb:PutItem"], resources=[TABLE + "-other"])
    assert evaluate(PUT, Policies(identity=[allow, deny])).verdict is Verdict.ALLOWED


def test_a_deny_with_not_resource_applies_to_every_other_resource() -> None:
    # ELEMENTS, "NotResource": matches every resource except those listed.
    allow = Statement("Allow", ["dynamodb:PutItem"], resources=["*"])
    deny = Statement("Deny", ["dynamodb:*"], not_resources=["arn:aws:dynamodb:*:*:table/other"])
    assert evaluate(PUT, Policies(identity=[allow, deny])).verdict is Verdict.DENIED


def test_nothing_allowing_is_an_implicit_deny() -> None:
    # EVAL: "By default, all requests are implicitly denied".
    decision = evaluate(PUT, Policies(identity=[Statement("Allow", ["s3:*"], resources=["*"])]))
    assert decision.verdict is Verdict.IMPLICIT
    assert decision.reason == "no statement allows dynamodb:PutItem"


def test_a_deny_that_may_apply_makes_an_allow_unknown() -> None:
    allow = Statement("Allow", ["dynamodb:PutItem"], resources=[TABLE])
    deny = Statement("Deny", ["dynamodb:PutItem"], resources=HIDDEN)
    decision = evaluate(PUT, Policies(identity=[allow, deny]))
    assert decision.verdict is Verdict.UNKNOWN and decision.allowed is None


def test_a_permissions_boundary_must_allow_too() -> None:
    # EVAL, "Permissions boundaries": the effective permissions are the intersection.
    allow = Statement("Allow", ["dynamodb:PutItem"], resources=[TABLE])
    boundary = Statement("Allow", ["s3:*"], resources=["*"])
    assert evaluate(PUT, Policies(identity=[allow], boundary=[boundary])).verdict is (
        Verdict.IMPLICIT
    )
    wide = Statement("Allow", ["dynamodb:*"], resources=["*"])
    assert evaluate(PUT, Policies(identity=[allow], boundary=[wide])).verdict is Verdict.ALLOWED


def test_a_deny_conditioned_with_if_exists_applies_when_the_key_is_absent() -> None:
    # CONDITIONS, "...IfExists": "If the key is not present, the condition evaluates to true."
    allow = Statement("Allow", ["dynamodb:PutItem"], resources=[TABLE])
    deny = Statement(
        "Deny",
        ["dynamodb:*"],
        resources=["*"],
        conditions=[Condition("StringNotEqualsIfExists", "aws:SourceVpc", ("vpc-1",))],
    )
    assert evaluate(PUT, Policies(identity=[allow, deny])).verdict is Verdict.DENIED
    from_vpc = Request("dynamodb:PutItem", TABLE, context={"aws:SourceVpc": ("vpc-1",)})
    assert evaluate(from_vpc, Policies(identity=[allow, deny])).verdict is Verdict.ALLOWED


def test_brackets_are_text_not_a_character_class() -> None:
    """IAM's only wildcards are `*` and `?` (IAM User Guide, IAM JSON policy elements:
    Resource, "You can use wildcard characters (* and ?) within any ARN segment")."""
    assert iam.resource_match("arn:aws:s3:::b[1]", "arn:aws:s3:::b[1]") is True
    assert iam.resource_match("arn:aws:s3:::b[1]", "arn:aws:s3:::b1") is False
    assert iam.match("s3:Get[O]bject", "s3:GetObject") is False


def test_resources_match_case_sensitively_actions_do_not() -> None:
    """Action names are case-insensitive; ARNs are case-sensitive (IAM JSON policy
    elements: Action and Resource)."""
    assert iam.match("S3:getobject", "s3:GetObject") is True
    assert iam.resource_match("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/k") is False
    assert iam.resource_match("arn:aws:s3:::bucket/?", "arn:aws:s3:::bucket/k") is True
