"""TAP014 reads what API Gateway's logging role needs from AWS's own data (issue 26).

The actions come from AWS's published AmazonAPIGatewayPushToCloudWatchLogs
(https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonAPIGatewayPushToCloudWatchLogs.html),
the resource each is authorized on from the Service Authorization Reference for
CloudWatch Logs (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html).
"""

from __future__ import annotations

import pytest

from checker.builtin.tap014_apigateway_logging import every_group_arn, push_actions
from checker.core.evaluation import Policies, Request, Verdict, evaluate
from checker.core.iam import statements_from_object

pytestmark = pytest.mark.fast


def test_the_push_actions_are_the_published_policy_s() -> None:
    assert sorted(push_actions()) == sorted(
        f"logs:{a}"
        for a in (
            "CreateLogGroup",
            "CreateLogStream",
            "DescribeLogGroups",
            "DescribeLogStreams",
            "PutLogEvents",
            "GetLogEvents",
            "FilterLogEvents",
        )
    )


def test_each_action_is_asked_on_every_group_of_the_region() -> None:
    assert (
        every_group_arn("logs:PutLogEvents", "us-east-1", "123456789012")
        == "arn:aws:logs:us-east-1:123456789012:log-group:*:log-stream:*"
    )
    assert (
        every_group_arn("logs:FilterLogEvents", "us-east-1", "123456789012")
        == "arn:aws:logs:us-east-1:123456789012:log-group:*"
    )
    assert every_group_arn("logs:DescribeLogGroups", "us-east-1", "123456789012") == "*"


def _decide(resource: str, action: str = "logs:PutLogEvents") -> Verdict:
    statements = statements_from_object(
        {"Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}, "test"
    )
    assert statements is not None
    request = Request(action, every_group_arn(action, "us-east-1", "123456789012"), closed=False)
    return evaluate(request, Policies(identity=statements)).verdict


def test_a_grant_on_one_group_does_not_cover_the_account_s_role() -> None:
    assert _decide("*") == Verdict.ALLOWED
    assert _decide("arn:aws:logs:*:*:*") == Verdict.ALLOWED
    assert _decide("arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/*") == (
        Verdict.IMPLICIT
    )
