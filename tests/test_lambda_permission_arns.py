"""How Lambda compares the ARN a caller invokes with the ARN a permission was granted on.

AddPermission: "If you use a qualifier, the invoker must use the full Amazon Resource
Name (ARN) of that version or alias to invoke the function"
(https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html); the source ARN
of a permission is compared with ArnLike: each of the six colon-separated parts on its
own, with `*` and `?` (IAM User Guide, condition operators,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
The rule cases (`tests/rules/TAP001/`, `tests/rules/TAP007/`) exercise the same on plans.
"""

from __future__ import annotations

import pytest

from checker.rules.lambda_targets import LATEST, allows_invoke, arn_like, same_qualifier, split

pytestmark = pytest.mark.fast

BUCKET = "arn:aws:s3:::tap-content"
HIDDEN_BUCKET = "arn:aws:s3:::\u0002bucket|aws_s3_bucket.content\u0002"
OTHER_BUCKET = "arn:aws:s3:::\u0002bucket|aws_s3_bucket.logs\u0002"


@pytest.mark.parametrize(
    ("pattern", "arn", "like"),
    [
        (BUCKET, BUCKET, True),
        (f"{BUCKET}/*", BUCKET, False),  # the objects: S3 sends the bucket's ARN
        ("arn:aws:s3:::tap-*", BUCKET, True),
        ("arn:aws:s3:::*", BUCKET, True),
        ("arn:aws:s3:::tap-logs", BUCKET, False),
        (HIDDEN_BUCKET, HIDDEN_BUCKET, True),  # the same bucket, its name only known later
        (f"{HIDDEN_BUCKET}/*", HIDDEN_BUCKET, False),
        (OTHER_BUCKET, HIDDEN_BUCKET, False),  # two buckets are two names
        ("arn:aws:s3:::tap-content", HIDDEN_BUCKET, None),  # only apply tells
        ("arn:aws:s3:::*", HIDDEN_BUCKET, True),
        ("arn:aws:s3", BUCKET, False),  # not six parts
    ],
)
def test_source_arn_is_matched_with_arn_like(pattern: str, arn: str, like: bool | None) -> None:
    assert arn_like(pattern, arn) is like


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("my-function", ("my-function", "")),
        ("my-function:live", ("my-function", "live")),
        ("123456789012:function:my-function:7", ("my-function", "7")),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:my-function",
            ("arn:aws:lambda:us-east-1:123456789012:function:my-function", ""),
        ),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST",
            ("arn:aws:lambda:us-east-1:123456789012:function:my-function", LATEST),
        ),
        (
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            "arn:aws:lambda:us-east-1:123456789012:function:my-function:live/invocations",
            ("arn:aws:lambda:us-east-1:123456789012:function:my-function", "live"),
        ),
    ],
)
def test_function_names_arns_and_invocation_uris_split(text: str, parsed: tuple[str, str]) -> None:
    assert split(text) == parsed


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("", "", True),
        ("live", "live", True),
        ("", "live", False),  # a function-level permission does not cover an alias
        ("1", "2", False),
        ("", LATEST, None),  # no permission can be scoped to $LATEST: AWS does not say
        ("\u0002version|aws_lambda_function.f\u0002", "3", None),  # the version apply publishes
        ("\u0002version|aws_lambda_function.f\u0002", "", False),
    ],
)
def test_a_permission_covers_only_its_qualifier(a: str, b: str, same: bool | None) -> None:
    assert same_qualifier(a, b) is same
    assert same_qualifier(b, a) is same


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("lambda:InvokeFunction", True),
        ("lambda:invokefunction", True),
        ("lambda:*", True),
        ("*", True),
        ("lambda:InvokeFunctionUrl", False),
        ("lambda:GetFunction", False),
        (None, None),
    ],
)
def test_the_action_must_allow_invoke_function(action: str | None, allowed: bool | None) -> None:
    assert allows_invoke(action) is allowed
