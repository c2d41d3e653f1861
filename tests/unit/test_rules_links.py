"""Unit tests of `checker.rules.links`: joins between resources of small plans.

Each plan is rendered from a few `tests.support.plan_builder` resources (as the
whole-stack tests build theirs) and loaded the way the checker loads a plan.
A reference in a plan lists the traversal and the object it starts from
(`aws_iam_role.r.id`, `aws_iam_role.r`), as Terraform writes `references`.
"""

from __future__ import annotations

import json

import pytest

from checker.plan.build import build_model
from checker.plan.load import load_plan
from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown
from checker.rules import links
from tests.support.plan_builder import UNKNOWN, Block, Expr, Resource, Stack, render_plan

pytestmark = pytest.mark.fast

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"}],
    }
)
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def _model(*resources: Resource) -> PlanModel:
    stack = Stack(
        variables=[], resources=list(resources), outputs=[], provider_region=Expr("us-east-1")
    )
    plan = json.dumps(render_plan(stack)).encode()
    return build_model(load_plan("plan.json", plan).document)


def _at(model: PlanModel, address: str) -> Instance:
    inst = model.instance(address)
    assert inst is not None, address
    return inst


def _addresses(instances: list[Instance]) -> set[str]:
    return {inst.address for inst in instances}


def _role(**attrs: object) -> Resource:
    return Resource("aws_iam_role.r", {"name": "tap-r", "assume_role_policy": "{}", **attrs})


def _attachment(name: str, policy_arn: object) -> Resource:
    return Resource(
        f"aws_iam_role_policy_attachment.{name}", {"role": "tap-r", "policy_arn": policy_arn}
    )


# -------------------------------------------------------------------- linked


def test_a_reference_links_to_the_instance_it_names() -> None:
    model = _model(
        Resource("aws_s3_bucket.b", {"bucket": "tap-b"}),
        Resource("aws_s3_bucket_policy.p", {"bucket": Expr.of(UNKNOWN, "aws_s3_bucket.b.id")}),
    )
    found = links.linked(
        model, _at(model, "aws_s3_bucket_policy.p"), ("bucket",), ("aws_s3_bucket",)
    )
    assert _addresses(found) == {"aws_s3_bucket.b"}


def test_a_reference_to_another_type_is_not_a_link() -> None:
    model = _model(
        Resource("aws_kms_key.k", {"description": "k"}),
        Resource("aws_s3_bucket_policy.p", {"bucket": Expr.of(UNKNOWN, "aws_kms_key.k.id")}),
    )
    policy = _at(model, "aws_s3_bucket_policy.p")
    assert links.linked(model, policy, ("bucket",), ("aws_s3_bucket",)) == []


def test_a_reference_is_preferred_to_an_equal_value() -> None:
    """The attribute holds bucket b's name but references bucket a: the reference wins."""
    model = _model(
        Resource("aws_s3_bucket.a", {"bucket": "tap-a"}),
        Resource("aws_s3_bucket.b", {"bucket": "tap-b"}),
        Resource(
            "aws_s3_bucket_versioning.v", {"bucket": Expr.of("tap-b", "aws_s3_bucket.a.bucket")}
        ),
    )
    found = links.linked(
        model, _at(model, "aws_s3_bucket_versioning.v"), ("bucket",), ("aws_s3_bucket",)
    )
    assert _addresses(found) == {"aws_s3_bucket.a"}


def test_a_known_value_links_by_an_identity_attribute() -> None:
    model = _model(
        Resource("aws_s3_bucket.b", {"bucket": "tap-b"}),
        Resource("aws_s3_bucket.c", {"bucket": "tap-c"}),
        Resource("aws_s3_bucket_versioning.v", {"bucket": "tap-b"}),
    )
    found = links.linked(
        model, _at(model, "aws_s3_bucket_versioning.v"), ("bucket",), ("aws_s3_bucket",)
    )
    assert [t.address for t in found] == ["aws_s3_bucket.b"]


@pytest.mark.parametrize(
    "arn", ["arn:aws:s3:::tap-b", "arn:aws:s3:::tap-b/*", "arn:aws:s3:::tap-b/k/x"]
)
def test_a_bucket_or_object_arn_designates_the_bucket(arn: str) -> None:
    model = _model(
        Resource("aws_s3_bucket.b", {"bucket": "tap-b"}),
        Resource("aws_lambda_permission.x", {"source_arn": arn}),
    )
    found = links.linked(
        model, _at(model, "aws_lambda_permission.x"), ("source_arn",), ("aws_s3_bucket",)
    )
    assert [t.address for t in found] == ["aws_s3_bucket.b"]


def test_a_value_equal_to_an_attribute_that_is_not_an_identity_is_no_link() -> None:
    """`aws_lambda_function` is identified by function_name, arn, ... never its handler."""
    model = _model(
        Resource("aws_lambda_function.f", {"function_name": "tap-f", "handler": "index.handler"}),
        Resource("aws_lambda_permission.a", {"function_name": "index.handler"}),
        Resource("aws_lambda_permission.b", {"function_name": "tap-f"}),
    )
    fn = ("aws_lambda_function",)
    assert links.linked(model, _at(model, "aws_lambda_permission.a"), ("function_name",), fn) == []
    found = links.linked(model, _at(model, "aws_lambda_permission.b"), ("function_name",), fn)
    assert [t.address for t in found] == ["aws_lambda_function.f"]


def test_a_type_without_identity_attributes_matches_id_arn_or_name() -> None:
    model = _model(
        Resource("aws_sns_topic.t", {"name": "tap-topic"}),
        Resource("aws_s3_bucket_notification.n", {"bucket": "tap-topic"}),
    )
    found = links.linked(
        model, _at(model, "aws_s3_bucket_notification.n"), ("bucket",), ("aws_sns_topic",)
    )
    assert [t.address for t in found] == ["aws_sns_topic.t"]


def test_each_known_item_of_a_list_links_and_other_items_are_skipped() -> None:
    model = _model(
        Resource(
            "aws_iam_policy.a",
            {"name": "a", "arn": "arn:aws:iam::111122223333:policy/a", "policy": POLICY},
        ),
        Resource(
            "aws_iam_policy.b",
            {"name": "b", "arn": "arn:aws:iam::111122223333:policy/b", "policy": POLICY},
        ),
        _role(
            managed_policy_arns=[
                "arn:aws:iam::111122223333:policy/b",
                7,
                "arn:aws:iam::111122223333:policy/a",
            ]
        ),
    )
    found = links.linked(
        model, _at(model, "aws_iam_role.r"), ("managed_policy_arns",), ("aws_iam_policy",)
    )
    assert [t.address for t in found] == ["aws_iam_policy.b", "aws_iam_policy.a"]


def test_a_counted_reference_links_to_its_instance_only() -> None:
    model = _model(
        Resource("aws_s3_bucket.b", {"bucket": "tap-b"}, count=2),
        Resource("aws_s3_bucket_policy.p", {"bucket": Expr.of(UNKNOWN, "aws_s3_bucket.b[1].id")}),
    )
    found = links.linked(
        model, _at(model, "aws_s3_bucket_policy.p"), ("bucket",), ("aws_s3_bucket",)
    )
    assert _addresses(found) == {"aws_s3_bucket.b[1]"}


def test_a_value_that_matches_nothing_links_to_nothing() -> None:
    model = _model(
        Resource("aws_s3_bucket.b", {"bucket": "tap-b"}),
        Resource("aws_s3_bucket_versioning.v", {"bucket": "elsewhere"}),
    )
    versioning = _at(model, "aws_s3_bucket_versioning.v")
    assert links.linked(model, versioning, ("bucket",), ("aws_s3_bucket",)) == []
    assert links.link_is_undecided(model, versioning, ("bucket",)) is False


def test_an_unknown_value_without_references_is_an_undecided_link() -> None:
    model = _model(
        Resource("aws_s3_bucket.b", {"bucket": "tap-b"}),
        Resource("aws_s3_bucket_versioning.v", {"bucket": Expr.of(UNKNOWN)}),
    )
    versioning = _at(model, "aws_s3_bucket_versioning.v")
    assert links.linked(model, versioning, ("bucket",), ("aws_s3_bucket",)) == []
    assert links.link_is_undecided(model, versioning, ("bucket",)) is True


def test_an_unknown_reference_is_not_an_undecided_link() -> None:
    model = _model(
        Resource("aws_s3_bucket.b", {"bucket": "tap-b"}),
        Resource("aws_s3_bucket_policy.p", {"bucket": Expr.of(UNKNOWN, "aws_s3_bucket.b.id")}),
    )
    assert (
        links.link_is_undecided(model, _at(model, "aws_s3_bucket_policy.p"), ("bucket",)) is False
    )


def test_an_unset_attribute_links_to_nothing_and_is_not_undecided() -> None:
    model = _model(
        Resource("aws_s3_bucket.b", {"bucket": "tap-b"}),
        Resource("aws_lambda_permission.x", {"function_name": "f"}),
    )
    permission = _at(model, "aws_lambda_permission.x")
    assert links.linked(model, permission, ("source_arn",), ("aws_s3_bucket",)) == []
    assert links.link_is_undecided(model, permission, ("source_arn",)) is False


# ------------------------------------------------------------- alike_unknown


def test_a_fixed_shape_is_references_and_text_only() -> None:
    account = Unknown.of_reference("data.aws_caller_identity.current.account_id")
    assert links._fixed_shape(account) is True
    assert links._fixed_shape(Unknown.of_template(("tap-logs-", account))) is True
    call = Unknown.of_expression("uuid()", ())
    assert links._fixed_shape(call) is False
    assert links._fixed_shape(Unknown.of_template(("tap-", call))) is False
    assert links._fixed_shape(Unknown(refs=("aws_kms_key.k.arn",))) is False
    assert links._fixed_shape("tap-logs") is False


def test_without_sources_no_unknown_is_alike() -> None:
    """From the plan alone an unknown only names references, never its shape."""
    model = _model(
        Resource("aws_kms_key.k", {"description": "k"}),
        Resource("aws_s3_bucket.a", {"bucket": Expr.of(UNKNOWN, "aws_kms_key.k.key_id")}),
        Resource("aws_s3_bucket.b", {"bucket": Expr.of(UNKNOWN, "aws_kms_key.k.key_id")}),
    )
    bucket = _at(model, "aws_s3_bucket.a")
    assert links.alike_unknown(model, bucket, ("bucket",), "aws_s3_bucket", "bucket") == []


# -------------------------------------------------------------- ReverseIndex


def test_permissions_by_function_indexes_by_name_and_by_reference() -> None:
    model = _model(
        Resource("aws_lambda_function.f", {"function_name": "tap-f"}),
        Resource("aws_lambda_function.g", {"function_name": "tap-g"}),
        Resource("aws_lambda_permission.by_name", {"function_name": "tap-f"}),
        Resource(
            "aws_lambda_permission.by_ref",
            {"function_name": Expr.of(UNKNOWN, "aws_lambda_function.f.function_name")},
        ),
    )
    index = links.permissions_by_function(model)
    assert _addresses(index.get(_at(model, "aws_lambda_function.f"))) == {
        "aws_lambda_permission.by_name",
        "aws_lambda_permission.by_ref",
    }
    assert index.get(_at(model, "aws_lambda_function.g")) == []
    assert links.permissions_by_function(model) is index  # a view: built once per model


def test_reverse_index_build_over_any_types() -> None:
    model = _model(
        Resource("aws_s3_bucket.b", {"bucket": "tap-b"}),
        Resource("aws_s3_bucket_versioning.v", {"bucket": "tap-b"}),
        Resource("aws_s3_bucket_versioning.w", {"bucket": "other"}),
    )
    index = links.ReverseIndex.build(
        model, "aws_s3_bucket_versioning", ("bucket",), ("aws_s3_bucket",)
    )
    assert {k: [i.address for i in v] for k, v in index.by_target.items()} == {
        "aws_s3_bucket.b": ["aws_s3_bucket_versioning.v"]
    }


# -------------------------------------------------------------- RolePolicies


def _origins(policies: list[links.Policy]) -> set[tuple[str, ...]]:
    return {tuple(p.origins) for p in policies}


def test_inline_policies_of_a_role() -> None:
    model = _model(
        _role(inline_policy=Block([{"name": "i", "policy": POLICY}])),
        Resource(
            "aws_iam_role_policy.p",
            {"role": Expr.of(UNKNOWN, "aws_iam_role.r.id"), "policy": POLICY},
        ),
    )
    policies = links.role_policies(model).policies(_at(model, "aws_iam_role.r"))
    assert _origins(policies) == {("aws_iam_role_policy.p",), ("aws_iam_role.r",)}
    assert all(p.complete for p in policies)
    assert {(s.origin, tuple(s.actions or ())) for p in policies for s in p.statements} == {
        ("aws_iam_role_policy.p", ("dynamodb:PutItem",)),
        ("aws_iam_role.r", ("dynamodb:PutItem",)),
    }


def test_an_attached_policy_of_the_plan_is_read_from_that_policy() -> None:
    model = _model(
        _role(),
        Resource("aws_iam_policy.mine", {"name": "mine", "policy": POLICY}),
        _attachment("a", Expr.of(UNKNOWN, "aws_iam_policy.mine.arn")),
    )
    policies = links.role_policies(model).policies(_at(model, "aws_iam_role.r"))
    assert _origins(policies) == {("aws_iam_policy.mine",)}
    assert all(p.complete for p in policies)


def test_an_aws_managed_policy_is_read_from_aws_published_document() -> None:
    model = _model(_role(), _attachment("basic", BASIC_EXECUTION))
    (policy,) = links.role_policies(model).policies(_at(model, "aws_iam_role.r"))
    assert policy.complete and policy.origins == ["aws_iam_role_policy_attachment.basic"]
    assert [s.actions for s in policy.statements] == [
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    ]


def test_an_aws_managed_arn_aws_does_not_publish_is_incomplete_and_says_so() -> None:
    model = _model(_role(), _attachment("bad", "arn:aws:iam::aws:policy/NoSuchPolicy"))
    (policy,) = links.role_policies(model).policies(_at(model, "aws_iam_role.r"))
    assert not policy.complete and policy.statements == []
    assert policy.reason.startswith(
        "aws_iam_role_policy_attachment.bad: AWS publishes no managed policy at "
        "arn:aws:iam::aws:policy/NoSuchPolicy (as of "
    )
    assert policy.reason.endswith("): check its path; attaching it fails at apply")


def test_a_customer_policy_outside_the_plan_is_incomplete() -> None:
    model = _model(_role(), _attachment("x", "arn:aws:iam::111122223333:policy/x"))
    (policy,) = links.role_policies(model).policies(_at(model, "aws_iam_role.r"))
    assert (policy.complete, policy.reason) == (
        False,
        "aws_iam_role_policy_attachment.x: the statements of "
        "arn:aws:iam::111122223333:policy/x are not in this plan",
    )


def test_an_unknown_policy_arn_is_incomplete() -> None:
    model = _model(_role(), _attachment("u", Expr.of(UNKNOWN)))
    (policy,) = links.role_policies(model).policies(_at(model, "aws_iam_role.r"))
    assert (policy.complete, policy.reason) == (
        False,
        "aws_iam_role_policy_attachment.u: the attached policy_arn is only known after apply",
    )


def test_managed_arns_lists_attachments_and_exclusive_arns() -> None:
    model = _model(
        _role(managed_policy_arns=["arn:aws:iam::111122223333:policy/listed"]),
        _attachment("known", BASIC_EXECUTION),
        _attachment("hidden", Expr.of(UNKNOWN)),
    )
    arns = links.role_policies(model).managed_arns(_at(model, "aws_iam_role.r"))
    assert sorted(arns, key=str) == sorted(
        [BASIC_EXECUTION, None, "arn:aws:iam::111122223333:policy/listed"], key=str
    )
    assert arns[-1] == "arn:aws:iam::111122223333:policy/listed"


def test_exclusive_managed_policy_arns_are_read_like_attachments() -> None:
    model = _model(_role(managed_policy_arns=[BASIC_EXECUTION]))
    (policy,) = links.role_policies(model).policies(_at(model, "aws_iam_role.r"))
    assert policy.complete and policy.origins == ["aws_iam_role.r"]
    assert policy.statements[0].actions == [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]


def test_a_role_without_a_boundary_has_none() -> None:
    model = _model(_role())
    assert links.role_policies(model).boundary(_at(model, "aws_iam_role.r")) is None


def test_a_boundary_of_the_plan_is_that_policy() -> None:
    # IAM User Guide, "Permissions boundaries for IAM entities".
    model = _model(
        Resource("aws_iam_policy.fence", {"name": "fence", "policy": POLICY}),
        _role(permissions_boundary=Expr.of(UNKNOWN, "aws_iam_policy.fence.arn")),
    )
    boundary = links.role_policies(model).boundary(_at(model, "aws_iam_role.r"))
    assert boundary is not None and boundary.complete
    assert boundary.origins == ["aws_iam_policy.fence"]


def test_a_boundary_outside_the_plan_is_incomplete_with_its_origin() -> None:
    model = _model(_role(permissions_boundary="arn:aws:iam::111122223333:policy/fence"))
    boundary = links.role_policies(model).boundary(_at(model, "aws_iam_role.r"))
    assert boundary is not None and not boundary.complete
    assert boundary.reason == (
        "aws_iam_role.r.permissions_boundary: the statements of "
        "arn:aws:iam::111122223333:policy/fence are not in this plan"
    )


def test_statements_join_every_policy_and_name_what_is_missing() -> None:
    model = _model(
        _role(inline_policy=Block([{"name": "i", "policy": POLICY}])),
        _attachment("x", "arn:aws:iam::111122223333:policy/x"),
    )
    statements, complete, reasons = links.role_policies(model).statements(
        _at(model, "aws_iam_role.r")
    )
    assert [(s.origin, s.actions) for s in statements] == [("aws_iam_role.r", ["dynamodb:PutItem"])]
    assert complete is False
    assert reasons == [
        "aws_iam_role_policy_attachment.x: the statements of "
        "arn:aws:iam::111122223333:policy/x are not in this plan"
    ]


def test_role_policies_is_a_view_built_once_per_model() -> None:
    model = _model(_role())
    assert links.role_policies(model) is links.role_policies(model)


@pytest.mark.xfail(
    strict=True,
    reason="linked() returns a target once per attribute path Terraform lists "
    "(aws_iam_role.r.id and aws_iam_role.r), so RolePolicies lists this policy twice",
)
def test_a_role_policy_referencing_its_role_is_listed_once() -> None:
    model = _model(
        _role(),
        Resource(
            "aws_iam_role_policy.p",
            {"role": Expr.of(UNKNOWN, "aws_iam_role.r.id"), "policy": POLICY},
        ),
    )
    policies = links.role_policies(model).policies(_at(model, "aws_iam_role.r"))
    assert [p.origins for p in policies] == [["aws_iam_role_policy.p"]]
