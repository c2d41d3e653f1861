"""TAP012: the EC2 proof writer can encrypt with the CMK and has a KMS fallback.

Why: user data wrote with `aws s3 cp` into a KMS-encrypted bucket and failed:
the instance role had no KMS permissions, and the CLI sometimes needed an
explicit `--ssekms-key-id` (incident 12).

Anti-pattern: an instance role with `s3:PutObject` on an SSE-KMS bucket but no
`kms:Encrypt`/`kms:GenerateDataKey*`/`kms:DescribeKey` on its key; user data
with no `s3api put-object --server-side-encryption aws:kms --ssekms-key-id` fallback.
Best practice: grant those three KMS actions on the CMK and keep the fallback.
Plans store `user_data` as a hash: the rule reads the configuration or the HCL
source, and says `unknown` without them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from checker.core.address import config_address_of, designates, reference_target
from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown, Value, decode_base64, is_known
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity, checked
from checker.rules.iam import (
    Statement,
    Tri,
    action_covered,
    actions_covered,
    all_true,
    any_true,
    resource_entries,
)
from checker.rules.links import ReverseIndex, linked, role_policies
from checker.rules.shell import aws_call, commands, option

META = RuleMeta(
    id="TAP012",
    title="The EC2 proof writer can encrypt with the CMK and has a KMS fallback",
    severity=Severity.MEDIUM,
    incident=12,
    rationale=(
        "Writing to an SSE-KMS bucket needs KMS permissions on the bucket's key; the CLI's "
        "put-object with explicit SSE-KMS arguments is the fallback that always works."
    ),
    remediation=(
        "Allow kms:Encrypt, kms:GenerateDataKey* and kms:DescribeKey on the bucket's CMK and "
        "s3:PutObject on the bucket in the instance role; in user_data fall back to "
        "'aws s3api put-object --server-side-encryption aws:kms --ssekms-key-id <key>'."
    ),
    resource_types=("aws_instance", "aws_iam_role", "aws_iam_instance_profile"),
)

KMS_ACTIONS = ("kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey")
HASHED = re.compile(r"^[0-9a-f]{40}$")


def writes_to_s3(script: str) -> bool:
    """Does the script run `aws s3 cp|mv|sync` or `aws s3api put-object`?"""
    return any(
        aws_call(words, "s3", ("cp", "mv", "sync")) is not None
        or aws_call(words, "s3api", ("put-object",)) is not None
        for words in commands(script)
    )


def has_kms_fallback(script: str) -> bool:
    """Does it run `aws s3api put-object --server-side-encryption aws:kms --ssekms-key-id K`?"""
    for words in commands(script):
        arguments = aws_call(words, "s3api", ("put-object",))
        if (
            arguments is not None
            and option(arguments, "--server-side-encryption") == "aws:kms"
            and option(arguments, "--ssekms-key-id")
        ):
            return True
    return False


def user_data_text(model: PlanModel, instance: Instance) -> str | None:
    """The user data script as written, or None when it is hidden (`hidden_script`)."""
    value = instance.get("user_data")
    if isinstance(value, str) and value and not HASHED.match(value):
        return value
    written = model.written(instance, "user_data")
    encoded = instance.get("user_data_base64")
    if written is None and encoded is not None:  # user_data_base64 written instead
        value = encoded
        written = decode_base64(
            encoded if is_known(encoded) else model.written(instance, "user_data_base64")
        )
    if isinstance(written, str):
        return written
    if written is None:
        return "" if value is None else None
    if isinstance(written, Unknown) and (written.parts or written.reference or written.expression):
        # a shell word stands for each value known only at apply, so the script still parses
        text = written.render("KNOWN_AFTER_APPLY")
        if _hides_script(written) and not has_kms_fallback(text):
            return None  # a function call, a file or a refused evaluation hides part of it
        return text
    return None


def hidden_script(model: PlanModel, instance: Instance) -> str:
    """Why the script cannot be read: a plan keeps only its hash; in static mode
    (no plan) it comes from a value the .tf files alone do not settle."""
    if not model.static:
        return "the plan only has the hash of user_data and no source settles it"
    return (
        f"user_data comes from {_script_origin(instance)}, which the .tf files alone do not "
        "settle (check a plan with these sources: --source DIR)"
    )


def _script_origin(instance: Instance) -> str:
    """What user_data (or user_data_base64) is written from: its references, or the
    function that could not be evaluated."""
    for attribute in ("user_data", "user_data_base64"):
        references = instance.references(attribute)
        if references:
            return ", ".join(references[:3])
        value = instance.get(attribute)
        if isinstance(value, Unknown) and value.expression:
            return value.expression
    return "an expression"


def _hides_script(value: Unknown) -> bool:
    """Could an unknown piece be script text rather than a value (a name, an ARN)?

    A reference stands for a value; a function call, a `for` expression or a
    refused evaluation may hide commands.
    """
    if value.parts is None:
        return value.reference is None
    return any(isinstance(p, Unknown) and p.reference is None for p in value.parts)


def _resource_targets(model: PlanModel, entry: Value, type_: str) -> list[str] | None:
    """Addresses of `type_` one Resource entry points at, keys where known ('*' = any; None = unknown)."""
    if isinstance(entry, str):
        if entry == "*" or entry in ("arn:aws:s3:::*", "arn:aws:kms:*"):
            return ["*"]
        if type_ == "aws_s3_bucket" and entry.startswith("arn:aws:s3:::"):
            name = entry[len("arn:aws:s3:::") :].split("/", 1)[0]
            return [i.address for i in model.by_value(type_, "bucket", name)]
        return [i.address for i in model.by_value(type_, "arn", entry)]
    refs = entry.refs if isinstance(entry, Unknown) else ()
    resource_refs = [r for r in refs if not r.startswith(("var.", "local.", "path."))]
    if not resource_refs:
        return None
    targets: list[str] = []
    for ref in resource_refs:
        target = reference_target(ref)
        if target is not None:
            targets.append(target[0])
        else:  # a module output: the resources behind it
            targets.extend(inst.address for inst, _ in model.output_targets(ref))
    return [t for t in targets if f".{type_}." in f".{config_address_of(t)}"]


def _kms_key_of_bucket(model: PlanModel, sse: ReverseIndex, bucket: Instance) -> Instance | None:
    for conf in sse.get(bucket):
        if model.settle(  # the sources settle a rule a `dynamic` block writes
            conf, "rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"
        ) not in (
            "aws:kms",
            "aws:kms:dsse",
        ):
            continue
        path = ("rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id")
        keys = linked(model, conf, path, ("aws_kms_key",))
        if keys:
            return keys[0]
        for alias in linked(model, conf, path, ("aws_kms_alias",)):
            targets = linked(model, alias, ("target_key_id",), ("aws_kms_key",))
            if targets:
                return targets[0]
    return None


def _role_of(model: PlanModel, instance: Instance) -> Instance | None:
    profiles = linked(model, instance, ("iam_instance_profile",), ("aws_iam_instance_profile",))
    if not profiles:
        return None
    roles = linked(model, profiles[0], ("role",), ("aws_iam_role",))
    return roles[0] if roles else None


def _bucket_only(entry: Value) -> bool:
    """A Resource entry naming a bucket, not objects in it (`arn:aws:s3:::b`, `b.arn`)."""
    if isinstance(entry, str):
        return entry.startswith("arn:aws:s3:::") and "/" not in entry and "*" not in entry
    if isinstance(entry, Unknown) and entry.reference is not None:
        return entry.reference.endswith(".arn")
    if isinstance(entry, Unknown) and entry.parts:
        last = entry.parts[-1]
        return (
            isinstance(last, Unknown)
            and last.reference is not None
            and last.reference.endswith(".arn")
        )
    return False


def _allows_on(stmts: list[Statement], model: PlanModel, action: str, target: Instance) -> Tri:
    results: list[Tri] = []
    for stmt in stmts:
        if not stmt.allows:
            continue
        covered = actions_covered(stmt, action)
        if covered is False:
            continue
        hits: list[Tri] = []
        for entry in resource_entries(stmt):
            if target.type == "aws_s3_bucket" and _bucket_only(entry):
                continue  # the bucket ARN itself: no object can be put under it
            targets = _resource_targets(model, entry, target.type)
            if targets is None:
                hits.append(None)
            else:
                hits.append("*" in targets or any(designates(t, target.address) for t in targets))
        results.append(all_true([covered, any_true(hits)]))
    return any_true(results)


def _candidate_buckets(
    model: PlanModel, statements: list[Statement], role: Instance
) -> list[Instance]:
    """Buckets the PutObject statements point at (all buckets of the role's module for '*')."""
    found: dict[str, Instance] = {}
    broad = False
    for stmt in statements:
        for entry in resource_entries(stmt):
            targets = _resource_targets(model, entry, "aws_s3_bucket")
            if targets is None or "*" in targets:
                broad = True
                continue
            for address in targets:
                for inst in model.designated_by(address, near=role.module_address):
                    found.setdefault(inst.address, inst)
    if broad:
        for bucket in model.resources("aws_s3_bucket"):
            if bucket.module_address == role.module_address:
                found.setdefault(bucket.address, bucket)
    return [b for b in found.values() if b.exists]


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    roles = role_policies(model)
    sse = ReverseIndex.build(
        model, "aws_s3_bucket_server_side_encryption_configuration", ("bucket",), ("aws_s3_bucket",)
    )
    kms_buckets = {
        b.address: (b, key)
        for b in model.resources("aws_s3_bucket")
        if (key := _kms_key_of_bucket(model, sse, b)) is not None
    }
    for instance in model.resources("aws_instance"):
        script = user_data_text(model, instance)
        role = _role_of(model, instance)
        statements, complete, reasons = roles.statements(role) if role else ([], True, [])
        can_put = [
            s for s in statements if s.allows and action_covered(s, "s3:PutObject") is not False
        ]
        candidates = _candidate_buckets(model, can_put, role) if role else []
        writable = [
            b for b in candidates if _allows_on(statements, model, "s3:PutObject", b) is not False
        ]
        written = [(b, kms_buckets[b.address][1]) for b in writable if b.address in kms_buckets]
        writes_in_script = bool(script and writes_to_s3(script))
        if role is not None and not complete and not written:
            yield Result.unknown(
                role.address,
                "policy",
                f"what {role.address} may write and encrypt is hidden: {reasons[0]}",
                "s3:PutObject on the bucket and KMS use of its CMK",
            )
            if script is None:
                yield Result.unknown(
                    instance.address,
                    "user_data",
                    hidden_script(model, instance),
                    "an 'aws s3api put-object --server-side-encryption aws:kms --ssekms-key-id' "
                    "fallback",
                )
            continue
        if not written and not writes_in_script:
            if script is None and role is not None:
                yield Result.unknown(
                    role.address,
                    "policy",
                    f"{role.address} cannot write to a KMS-encrypted bucket of {checked(model)}; "
                    "whether the instance writes to S3 is hidden "
                    + (
                        f"({hidden_script(model, instance)})"
                        if model.static
                        else "in its user_data hash"
                    ),
                    "s3:PutObject on bucket/* and KMS use of its CMK",
                )
            if script is None:  # the plan keeps only a hash: what the script does is hidden
                yield Result.unknown(
                    instance.address,
                    "user_data",
                    f"{hidden_script(model, instance)}, and the instance role cannot write to a "
                    f"KMS-encrypted bucket of {checked(model)}",
                    "if the script writes to S3: s3:PutObject and KMS use on the bucket's CMK",
                )
            continue
        if role is None:
            yield Result.failed(
                instance.address,
                "iam_instance_profile",
                "the instance writes to S3 but has no instance profile with a role of "
                f"{checked(model)}",
                "an instance profile whose role may write to the bucket with its CMK",
            )
            continue
        if not writable:  # the role's policy is at fault: the finding is the role's
            yield Result.failed(
                role.address,
                "policy",
                f"{role.address} cannot s3:PutObject on any bucket of {checked(model)}",
                "s3:PutObject on the bucket and KMS use of its CMK",
            )
            continue
        if not written:
            continue  # it writes to buckets without SSE-KMS: incident 12 does not apply
        bucket, key = written[0]
        kms = all_true([_allows_on(statements, model, action, key) for action in KMS_ACTIONS])
        if kms is False:
            yield Result.failed(
                role.address,
                "policy",
                f"{role.address} lacks {', '.join(KMS_ACTIONS)} on {key.address} "
                f"used by {bucket.address}",
                f"allow {', '.join(KMS_ACTIONS)} on {key.config_address}.arn",
            )
            continue
        if script is None:
            yield Result.unknown(
                instance.address,
                "user_data",
                hidden_script(model, instance),
                "an 'aws s3api put-object --server-side-encryption aws:kms --ssekms-key-id' fallback",
            )
            continue
        if not has_kms_fallback(script):
            yield Result.failed(
                instance.address,
                "user_data",
                "user_data has no 'aws s3api put-object --server-side-encryption aws:kms "
                "--ssekms-key-id' fallback",
                "the put-object fallback with explicit SSE-KMS arguments",
            )
        elif kms is None:
            yield Result.unknown(
                role.address,
                "policy",
                f"cannot confirm KMS permissions on {key.address}: resources are only known after apply",
            )
        else:
            yield Result.passed(
                instance.address,
                "user_data",
                f"{role.address} may encrypt with {key.address}; user_data has the SSE-KMS fallback",
            )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
