"""Byte edits of `.tf` blocks (`checker.fix.hcl_edit`): the rest of the file untouched."""

from __future__ import annotations

import pytest

from checker.fix.hcl_edit import (
    NotEditable,
    add_after,
    add_depends_on,
    apply,
    block_at,
    remove_nested,
    set_value,
)
from checker.rules.fix_idioms import block_text

pytestmark = pytest.mark.fast

TEXT = b"""# a comment that stays
resource "aws_dynamodb_table" "main" {
  name         = "t" # why
  billing_mode = "PAY_PER_REQUEST"

  point_in_time_recovery {
    enabled = false
  }
}

resource "aws_s3_bucket_notification" "n" {
  bucket     = "b"
  depends_on = [aws_lambda_permission.a]
}
"""


def edited(line: int, edit: object) -> str:
    return apply(TEXT, [edit]).decode()  # type: ignore[list-item]


def test_an_existing_argument_gets_its_expression_replaced() -> None:
    block = block_at(TEXT, 2)
    out = edited(2, set_value(TEXT, block, ("billing_mode",), '"PROVISIONED"'))
    assert 'billing_mode = "PROVISIONED"' in out
    assert out.replace('"PROVISIONED"', '"PAY_PER_REQUEST"') == TEXT.decode()


def test_a_nested_argument_is_replaced_inside_its_block() -> None:
    block = block_at(TEXT, 2)
    out = edited(2, set_value(TEXT, block, ("point_in_time_recovery", "enabled"), "true"))
    assert "    enabled = true\n" in out and "false" not in out


def test_a_missing_argument_is_a_group_of_its_own_before_the_brace() -> None:
    block = block_at(TEXT, 11)
    out = edited(11, set_value(TEXT, block, ("force_destroy",), "true"))
    assert "  depends_on = [aws_lambda_permission.a]\n\n  force_destroy = true\n}\n" in out


def test_a_missing_nested_block_is_written_whole() -> None:
    block = block_at(TEXT, 11)
    out = edited(11, set_value(TEXT, block, ("rule", "enabled"), "true"))
    assert "\n  rule {\n    enabled = true\n  }\n}\n" in out


def test_depends_on_gains_a_reference_once() -> None:
    block = block_at(TEXT, 11)
    edit = add_depends_on(TEXT, block, "aws_lambda_permission.b")
    assert edit is not None
    out = apply(TEXT, [edit]).decode()
    assert "depends_on = [aws_lambda_permission.a, aws_lambda_permission.b]" in out
    assert add_depends_on(TEXT, block, "aws_lambda_permission.a") is None
    table = block_at(TEXT, 2)
    new = add_depends_on(TEXT, table, "aws_kms_key.k")
    assert new is not None and b"depends_on = [aws_kms_key.k]" in apply(TEXT, [new])


def test_what_cannot_be_edited_says_so() -> None:
    with pytest.raises(NotEditable):
        block_at(TEXT, 3)
    block = block_at(TEXT, 2)
    with pytest.raises(NotEditable):
        set_value(TEXT, block, ("name", "inner"), "1")  # an argument, not a block


ALIGNED = b"""resource "aws_cloudwatch_log_group" "g" {
  name              = "/aws/lambda/f"
  kms_key_id        = aws_kms_key.k.arn # the team's key
}
"""


def test_a_missing_argument_joins_the_last_group_when_its_column_has_room() -> None:
    block = block_at(ALIGNED, 1)
    out = apply(ALIGNED, [set_value(ALIGNED, block, ("retention_in_days",), "14")]).decode()
    assert out.endswith(
        "  kms_key_id        = aws_kms_key.k.arn # the team's key\n  retention_in_days = 14\n}\n"
    )
    longer = set_value(ALIGNED, block, ("a_name_longer_than_the_column",), "1")
    assert (
        apply(ALIGNED, [longer]).decode().endswith("\n\n  a_name_longer_than_the_column = 1\n}\n")
    )


def test_a_nested_block_is_removed_whole_lines_and_only_once() -> None:
    text = b'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n  versioning {\n    enabled = true\n  }\n}\n'
    block = block_at(text, 1)
    edit = remove_nested(text, block, ("versioning",))
    assert edit is not None
    out = apply(text, [edit])
    assert out == b'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'
    assert remove_nested(out, block_at(out, 1), ("versioning",)) is None
    with pytest.raises(NotEditable):
        remove_nested(text, block, ("bucket", "x"))


def test_a_new_block_follows_its_neighbour_and_two_keep_their_order() -> None:
    block = block_at(TEXT, 11)
    first = "\n".join(block_text('resource "a" "one"', [("x", "1"), ("longer", "2")]))
    second = "\n".join(block_text('resource "a" "two"', [("n", [("y", "true")])]))
    out = apply(TEXT, [add_after(TEXT, block, first), add_after(TEXT, block, second)]).decode()
    assert out.endswith(
        '}\n\nresource "a" "one" {\n  x      = 1\n  longer = 2\n}\n\n'
        'resource "a" "two" {\n  n {\n    y = true\n  }\n}\n'
    )


LISTS = b"""data "aws_iam_policy_document" "d" {
  statement {
    actions = ["s3:GetObject"]
  }
  statement {
    actions = [
      "dynamodb:PutItem",
    ]
  }
}
"""


def test_items_are_appended_to_the_nth_block_in_the_list_s_own_layout() -> None:
    from checker.fix.hcl_edit import append_items

    block = block_at(LISTS, 1)
    one_line = append_items(LISTS, block, ("statement", 0, "actions"), ('"s3:PutObject"',))
    assert one_line is not None
    assert b'actions = ["s3:GetObject", "s3:PutObject"]' in apply(LISTS, [one_line])
    per_line = append_items(LISTS, block, ("statement", 1, "actions"), ('"dynamodb:Query"',))
    assert per_line is not None
    out = apply(LISTS, [per_line])
    assert b'      "dynamodb:PutItem",\n      "dynamodb:Query",\n    ]' in out
    assert (
        append_items(out, block_at(out, 1), ("statement", 1, "actions"), ('"dynamodb:Query"',))
        is None
    )
    with pytest.raises(NotEditable):
        append_items(LISTS, block, ("statement", 2, "actions"), ('"x"',))
