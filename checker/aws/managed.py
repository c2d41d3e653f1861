"""AWS managed policies by ARN (`data/managed_policies.json.gz`, see `checker.aws.refresh`).

A managed policy is attached by its full ARN, path included
(`arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`); an ARN with
another path names no policy and the attachment fails at apply.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "managed_policies.json.gz"
AWS_MANAGED = re.compile(r"^arn:aws[\w-]*:iam::aws:policy(/.*)$")


@cache
def _policies() -> dict[str, object]:
    loaded = json.loads(gzip.decompress(DATA.read_bytes()))
    assert isinstance(loaded, dict)
    policies = loaded["policies"]
    assert isinstance(policies, dict)
    return policies


def source() -> str:
    loaded = json.loads(gzip.decompress(DATA.read_bytes()))
    src = loaded.get("source", {}) if isinstance(loaded, dict) else {}
    return f"{src.get('package', '?')} {src.get('version', '?')}"


def is_aws_managed(arn: str) -> bool:
    """An ARN in AWS's own account of policies (`arn:<partition>:iam::aws:policy/...`)."""
    return AWS_MANAGED.match(arn) is not None


def document(arn: str) -> object | None:
    """The policy document of the AWS managed policy at this ARN (any partition); None when
    AWS publishes no policy there."""
    found = AWS_MANAGED.match(arn)
    if found is None:
        return None
    return _policies().get(f"arn:aws:iam::aws:policy{found.group(1)}")
