"""Unit tests of `checker.core.address`: Terraform addresses and references split apart.

Address syntax: Terraform docs, "Resource addressing",
https://developer.hashicorp.com/terraform/cli/state/resource-addressing
"""

from __future__ import annotations

import pytest

from checker.core.address import (
    Reference,
    config_address_of,
    designates,
    join,
    module_path,
    parse_reference,
    reference_target,
    split_address,
    strip_key,
)

pytestmark = pytest.mark.fast


# ------------------------------------------------------------ split_address


@pytest.mark.parametrize(
    ("address", "parts"),
    [
        ("aws_s3_bucket.content", ["aws_s3_bucket", "content"]),
        ("aws_s3_bucket.content.arn", ["aws_s3_bucket", "content", "arn"]),
        ("aws_s3_bucket.b[0].arn", ["aws_s3_bucket", "b[0]", "arn"]),
        ('module.a["x.y"].aws_s3_bucket.b', ["module", 'a["x.y"]', "aws_s3_bucket", "b"]),
        ('a.b["x.y"][0].c', ["a", 'b["x.y"][0]', "c"]),
        ('m["a\\".b"].c', ['m["a\\".b"]', "c"]),  # an escaped quote does not close the key
        ("a[b.c].d", ["a[b.c]", "d"]),  # dots inside brackets are not separators
        ("single", ["single"]),
        ("", [""]),
    ],
)
def test_split_address(address: str, parts: list[str]) -> None:
    assert split_address(address) == parts


# ----------------------------------------------------------------- strip_key


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("name", ("name", None)),
        ("name[0]", ("name", "0")),
        ('name["a"]', ("name", "a")),
        ('name["a.b"]', ("name", "a.b")),
        ("name[", ("name[", None)),  # not closed: no key
        ('name[""]', ("name", "")),
    ],
)
def test_strip_key(part: str, expected: tuple[str, str | None]) -> None:
    assert strip_key(part) == expected


# -------------------------------------------------------- module paths, join


@pytest.mark.parametrize(
    ("module_address", "path"),
    [
        ('module.a[0].module.b["x"]', "module.a.module.b"),
        ("module.a", "module.a"),
        ("", ""),
        (None, ""),
    ],
)
def test_module_path_drops_instance_keys(module_address: str | None, path: str) -> None:
    assert module_path(module_address) == path


def test_join_qualifies_a_local_address_by_its_module() -> None:
    assert join("module.a", "aws_s3_bucket.b") == "module.a.aws_s3_bucket.b"
    assert join("", "aws_s3_bucket.b") == "aws_s3_bucket.b"


@pytest.mark.parametrize(
    ("address", "config"),
    [
        ('module.a["x"].aws_s3_bucket.b[0]', "module.a.aws_s3_bucket.b"),
        ("aws_s3_bucket.b", "aws_s3_bucket.b"),
        ('module.a[1].module.c["k"].data.aws_region.r', "module.a.module.c.data.aws_region.r"),
    ],
)
def test_config_address_of(address: str, config: str) -> None:
    assert config_address_of(address) == config


# ---------------------------------------------------------- parse_reference


def test_a_resource_reference_with_attribute() -> None:
    assert parse_reference("aws_s3_bucket.content.arn") == Reference(
        "aws_s3_bucket.content", None, ("arn",)
    )


def test_a_counted_reference_keeps_its_key() -> None:
    assert parse_reference("aws_s3_bucket.content[0].arn") == Reference(
        "aws_s3_bucket.content", "0", ("arn",)
    )
    assert parse_reference('aws_iam_role.r["a.b"].name') == Reference(
        "aws_iam_role.r", "a.b", ("name",)
    )


def test_a_data_source_reference() -> None:
    assert parse_reference("data.aws_caller_identity.current.account_id") == Reference(
        "data.aws_caller_identity.current", None, ("account_id",)
    )
    assert parse_reference("data.aws_region.current") == Reference(
        "data.aws_region.current", None, ()
    )


def test_a_nested_attribute_path_is_kept_whole() -> None:
    ref = parse_reference("aws_lambda_function.f.environment[0].variables")
    assert ref == Reference("aws_lambda_function.f", None, ("environment[0]", "variables"))


@pytest.mark.parametrize(
    "ref",
    [
        "var.region",
        "local.name",
        "module.a.out",
        "path.module",
        "count.index",
        "each.key",
        "self.arn",
        "terraform.workspace",
        "data.aws_region",  # too short to name a data source
        "aws_s3_bucket",  # a type alone
    ],
)
def test_non_resource_references_are_none(ref: str) -> None:
    assert parse_reference(ref) is None


# --------------------------------------------------------- reference_target


@pytest.mark.parametrize(
    ("ref", "target"),
    [
        ('module.a["x"].aws_s3_bucket.b.arn', ('module.a["x"].aws_s3_bucket.b', ("arn",))),
        ("module.a.module.b.aws_iam_role.r", ("module.a.module.b.aws_iam_role.r", ())),
        ("aws_kms_key.k.arn", ("aws_kms_key.k", ("arn",))),
        ("data.aws_region.r.name", ("data.aws_region.r", ("name",))),
        ("module.a[0].data.aws_region.r", ("module.a[0].data.aws_region.r", ())),
        ("aws_s3_bucket.b[0].arn", ("aws_s3_bucket.b[0]", ("arn",))),
    ],
)
def test_reference_target(ref: str, target: tuple[str, tuple[str, ...]]) -> None:
    assert reference_target(ref) == target


@pytest.mark.parametrize(
    "ref", ["var.x", "module.a.var", "module.a.output_name", "module.a.data.aws_region", "local.x"]
)
def test_reference_target_is_none_for_what_is_not_a_resource(ref: str) -> None:
    assert reference_target(ref) is None


# ---------------------------------------------------------------- designates


@pytest.mark.parametrize(
    ("target", "address", "expected"),
    [
        ("aws_s3_bucket.b", "aws_s3_bucket.b", True),
        ("aws_s3_bucket.b", "aws_s3_bucket.b[0]", True),  # no key: any instance
        ("aws_s3_bucket.b[0]", "aws_s3_bucket.b[0]", True),
        ("aws_s3_bucket.b[0]", "aws_s3_bucket.b[1]", False),
        ("aws_s3_bucket.b[0]", "aws_s3_bucket.b", False),
        ("module.a.aws_s3_bucket.b", 'module.a["x"].aws_s3_bucket.b', True),
        ('module.a["x"].aws_s3_bucket.b', 'module.a["y"].aws_s3_bucket.b', False),
        ('module.a["x"].aws_s3_bucket.b', 'module.a["x"].aws_s3_bucket.b', True),
        ("aws_s3_bucket.b", "module.a.aws_s3_bucket.b", False),  # other depth
        ("aws_s3_bucket.b", "aws_s3_bucket.c", False),
    ],
)
def test_designates(target: str, address: str, expected: bool) -> None:
    assert designates(target, address) is expected
