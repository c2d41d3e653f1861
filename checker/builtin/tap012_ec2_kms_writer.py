"""TAP012: the EC2 proof writer can encrypt with the CMK and has a KMS fallback.

Why: user data wrote with `aws s3 cp` into a KMS-encrypted bucket and failed:
the instance role had no KMS permissions, and the CLI sometimes needed an
explicit `--ssekms-key-id` (incident 12).

Anti-pattern: user data writing to an SSE-KMS bucket with an instance role that
may not `s3:PutObject` on the object it writes, or not use the key that encrypts
it (`kms:GenerateDataKey`, plus the fix's `kms:Encrypt`/`kms:DescribeKey`);
user data with no `s3api put-object --server-side-encryption aws:kms
--ssekms-key-id` fallback. The role is judged against the bucket and key the
script writes with, not any bucket it may write.
Best practice: grant those three KMS actions on the CMK and keep the fallback.
Plans store `user_data` as a hash: the rule reads the configuration or the HCL
source. Without them the buckets and keys user_data references (and the buckets
the role may put to) stand for its writes: a role that may put objects in an
SSE-KMS bucket but not use its key fails; the rest is `unknown`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from checker.api import (
    EngineCoverage,
    EngineName,
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    Severity,
    Unknown,
    Value,
    checked,
)
from checker.core.address import reference_target
from checker.rules.ec2_write_grants import request_allowed
from checker.rules.ec2_write_targets import (
    Names,
    Target,
    bucket_key,
    bucket_names,
    bucket_target,
    key_names,
    key_of,
    key_target,
    resolve_target,
)
from checker.rules.ec2_writers import HOLE, Script, Write, hidden_script, script_of, script_writes
from checker.rules.iam import Statement, Tri, action_covered, resource_entries
from checker.rules.links import linked, role_policies

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
    aws_model=(
        "Reads the S3 writes of the instance's user data (aws s3 cp|mv|sync to s3://B/K, "
        "aws s3api put-object --bucket B --key K) and, for each, evaluates the instance "
        "role's identity policies as IAM does (explicit Deny first, Allow with Resource or "
        "NotResource matched with IAM wildcards against arn:aws:s3:::B/K): s3:PutObject on "
        "that object, and kms:GenerateDataKey (what S3 calls for the requester under SSE-KMS) "
        "on the key it encrypts with: the bucket's default CMK, or the key the write names "
        "(--ssekms-key-id / --sse-kms-key-id). SSE-S3 and the AWS managed aws/s3 key need no "
        "KMS grant. The put-object fallback with explicit SSE-KMS arguments is required when "
        "a write goes to an SSE-KMS bucket."
    ),
    letter_vs_aws=(
        "AWS needs only kms:GenerateDataKey for a single PutObject; the seed's fix also grants "
        "kms:Encrypt and kms:DescribeKey: the rule requires all three (the letter is stricter "
        "and safe) and says which one AWS itself needs. The fallback is the seed's; AWS does "
        "not need it when the role and key policy are right."
    ),
    limits=(
        "Bucket policies and key policies that grant the role directly (same "
        "account) or deny it, whether the key policy delegates to IAM (TAP003 keeps the "
        "account-root statement), permission boundaries, SCPs, conditions on Allow or Deny "
        "statements (left open), multipart uploads of large files (kms:Decrypt), buckets or "
        "keys outside the plan (open). From the plan alone user_data is a hash: the buckets "
        "and keys it references stand for what it writes, and a role that may put there but "
        "not use the bucket's key fails."
    ),
    references=(
        "Amazon S3 User Guide, Using server-side encryption with AWS KMS keys "
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html)",
        "Amazon S3 API Reference, PutObject "
        "(https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html)",
        "IAM User Guide, Policy evaluation logic "
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)",
        "IAM User Guide, IAM JSON policy elements: Resource "
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html)",
        "AWS CLI Command Reference, s3api put-object "
        "(https://docs.aws.amazon.com/cli/latest/reference/s3api/put-object.html)",
        "AWS CLI Command Reference, s3 cp "
        "(https://docs.aws.amazon.com/cli/latest/reference/s3/cp.html)",
    ),
    needs_person=("the instance's script and its role's grants are written together by a person"),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            why=(
                "`aws_instance.user_data` is a hash in plans and the role's policy documents are "
                "read at apply"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            why="`user_data` is a hash in plans and the role's KMS grants are JSON",
        ),
    ),
)

# What S3 calls on the requester's behalf for PutObject under SSE-KMS is kms:GenerateDataKey;
# incident 12's fix also grants kms:Encrypt and kms:DescribeKey (the seed's letter, kept).
AWS_NEEDS = "kms:GenerateDataKey"
KMS_ACTIONS = (AWS_NEEDS, "kms:Encrypt", "kms:DescribeKey")
# ------------------------------------------------------------------ the check


@dataclass
class Verdicts:
    """What one instance's writes make of its role and of the instance."""

    role_failed: list[str] = field(default_factory=list)
    role_unknown: list[str] = field(default_factory=list)
    instance_unknown: list[str] = field(default_factory=list)
    kms_buckets: list[str] = field(default_factory=list)  # SSE-KMS destinations (incident 12)
    # writes whose bucket's encryption is not known: the fix's fallback is required there too
    # (the seed's letter, stricter and safe), but they prove nothing for a pass
    unsure_buckets: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Grants:
    statements: list[Statement]
    complete: bool  # every policy of the role is visible
    hidden: str = ""  # why not, when not


def _allowed(grants: Grants, action: str, target: Target) -> Tri:
    verdict = request_allowed(grants.statements, action, target)
    return None if verdict is False and not grants.complete else verdict


def _judge_write(
    model: RuleModel,
    grants: Grants,
    bucket: Instance,
    kms: Instance,
    object_key: str,
    out: Verdicts,
) -> None:
    """PutObject on the object and the KMS calls S3 makes for the requester on `kms`."""
    put = _allowed(grants, "s3:PutObject", bucket_target(model, bucket, object_key))
    if put is False:
        shown = object_key.replace(HOLE, "…")
        out.role_failed.append(f"s3:PutObject is not allowed on {bucket.address}/{shown}")
    elif put is None:
        out.role_unknown.append(f"whether s3:PutObject is allowed on {bucket.address} is open")
    target = key_target(model, kms)
    verdicts = {action: _allowed(grants, action, target) for action in KMS_ACTIONS}
    missing = [a for a, v in verdicts.items() if v is False]
    open_ = [a for a, v in verdicts.items() if v is None]
    if missing:
        needs = (
            "S3 calls kms:GenerateDataKey for it" if AWS_NEEDS in missing else "incident 12's fix"
        )
        out.role_failed.append(
            f"{', '.join(missing)} not allowed on {kms.address}, which encrypts writes to "
            f"{bucket.address} ({needs})"
        )
    elif open_:
        out.role_unknown.append(f"whether {', '.join(open_)} is allowed on {kms.address} is open")


def _judge_writes(
    model: RuleModel, instance: Instance, script: Script, grants: Grants, writes: list[Write]
) -> Verdicts:
    """Each write: the bucket it names, the key that encrypts it, and what the role may do."""
    out = Verdicts()
    buckets = model.view(bucket_names)
    for write in writes:
        found = resolve_target(model, buckets, instance, script, write.bucket, ("aws_s3_bucket",))
        if not found:
            out.unsure_buckets.append(script.shown(write.bucket))
            where = "whose name is only known after apply" if found is None else "not in"
            out.instance_unknown.append(
                f"it writes to bucket {script.shown(write.bucket)}, {where}"
                + (f" {checked(model)}" if found is not None else "")
                + ": its encryption and policies are not known"
            )
            continue
        bucket, object_key = found[0], script.pattern(write.key)
        kms = _write_key(model, instance, script, write, bucket, out)
        if kms is None:
            out.unsure_buckets.append(bucket.address)
            continue
        if isinstance(bucket_key(model, bucket), Instance):
            out.kms_buckets.append(bucket.address)
        if isinstance(kms, Instance):
            _judge_write(model, grants, bucket, kms, object_key, out)
        elif _allowed(grants, "s3:PutObject", bucket_target(model, bucket, object_key)) is False:
            out.role_failed.append(f"s3:PutObject is not allowed on {bucket.address}")
    return out


def _write_key(
    model: RuleModel,
    instance: Instance,
    script: Script,
    write: Write,
    bucket: Instance,
    out: Verdicts,
) -> Instance | str | None:
    """The CMK a write encrypts with (the one it names, else the bucket's default), NO_KMS,
    or None (noted as open in `out`)."""
    if write.kms_key is None:
        kms = bucket_key(model, bucket)
        if kms is None:
            out.instance_unknown.append(
                f"the encryption of {bucket.address} is only known after apply"
            )
        return kms
    keys = model.view(key_names)
    named = resolve_target(
        model, keys, instance, script, write.kms_key, ("aws_kms_key", "aws_kms_alias")
    )
    key = key_of(model, named) if named else None
    if key is None:
        out.instance_unknown.append(
            f"it encrypts with {script.shown(write.kms_key)}, not a key of {checked(model)}"
        )
    return key


def _role_of(model: RuleModel, instance: Instance) -> Instance | None:
    profiles = linked(model, instance, ("iam_instance_profile",), ("aws_iam_instance_profile",))
    if not profiles:
        return None
    roles = linked(model, profiles[0], ("role",), ("aws_iam_role",))
    return roles[0] if roles else None


FIX = "s3:PutObject on the bucket's objects and kms:GenerateDataKey, kms:Encrypt, kms:DescribeKey on its CMK"
FALLBACK = "an 'aws s3api put-object --server-side-encryption aws:kms --ssekms-key-id' fallback"


def _hidden_script_results(
    model: RuleModel, instance: Instance, role: Instance | None, grants: Grants
) -> Iterator[Result]:
    """The plan keeps only user_data's hash. The SSE-KMS buckets and the keys it references
    are what it may write to and encrypt with: a role that may put objects there but not
    use the bucket's key fails (every such put fails); anything else the role may not do
    there is open (the script may only read, or not use that key)."""
    if role is not None:
        broken, open_ = Verdicts(), list[str]()
        named = [b for b, _ in model.referenced(instance, "user_data", types=("aws_s3_bucket",))]
        for bucket in named:
            kms = bucket_key(model, bucket)
            if isinstance(kms, Instance):
                _hidden_bucket(model, grants, bucket, kms, broken, open_)
        seen = {b.address for b in named}
        for bucket in _granted_buckets(model, role, grants):
            kms = bucket_key(model, bucket)
            if bucket.address not in seen and isinstance(kms, Instance):
                _judge_write(model, grants, bucket, kms, HOLE, broken)
                seen.add(bucket.address)
        if not any(isinstance(bucket_key(model, b), Instance) for b in named) and not (
            seen - {b.address for b in named}
        ):
            open_.append(
                "which SSE-KMS bucket the user data writes to ("
                + (", ".join(instance.references("user_data")[:3]) or "nothing it references")
                + " in this plan)"
            )
        for key in _referenced_keys(model, instance):
            target = key_target(model, key)
            if any(_allowed(grants, a, target) is not True for a in KMS_ACTIONS):
                open_.append(f"{', '.join(KMS_ACTIONS)} on {key.address}, which it names")
        if broken.role_failed:
            yield Result.failed(
                role.address, "policy", f"{role.address}: {broken.role_failed[0]}", FIX
            )
        elif open_ or not grants.complete:
            why = open_[0] if open_ else f"what it may write and encrypt is hidden: {grants.hidden}"
            yield Result.unknown(
                role.address,
                "policy",
                f"{role.address}: {why}; whether the script needs it is hidden with the script",
                FIX,
            )
    yield Result.unknown(instance.address, "user_data", hidden_script(model, instance), FALLBACK)


def _hidden_bucket(
    model: RuleModel,
    grants: Grants,
    bucket: Instance,
    kms: Instance,
    broken: Verdicts,
    open_: list[str],
) -> None:
    put = _allowed(grants, "s3:PutObject", bucket_target(model, bucket, HOLE))
    if put is not False:
        _judge_write(model, grants, bucket, kms, HOLE, broken)
    if put is not True:
        how = (
            "is not allowed"
            if put is False
            else "is open (the plan shows its Resource only by reference)"
        )
        open_.append(f"s3:PutObject on objects of {bucket.address}, which it names, {how}")


def _granted_buckets(model: RuleModel, role: Instance, grants: Grants) -> list[Instance]:
    """Buckets the role's Allow statements for s3:PutObject name (a role that may put objects
    in an SSE-KMS bucket but not use its key fails there, whatever writes)."""
    names = model.view(bucket_names)
    found: dict[str, Instance] = {}
    for stmt in grants.statements:
        if stmt.allows and action_covered(stmt, "s3:PutObject") is not False:
            for entry in resource_entries(stmt):
                for bucket in _entry_buckets(model, names, role, entry):
                    found.setdefault(bucket.address, bucket)
    return list(found.values())


def _entry_buckets(model: RuleModel, names: Names, role: Instance, entry: Value) -> list[Instance]:
    """The buckets one Resource entry names: by reference, or by the name in a literal ARN."""
    if isinstance(entry, str):
        name = entry.removeprefix("arn:aws:s3:::").split("/", 1)[0]
        literal = entry.startswith("arn:aws:s3:::") and not any(c in name for c in "*?")
        return names.find(name, role.module_address) if literal else []
    out: list[Instance] = []
    for ref in entry.refs if isinstance(entry, Unknown) else ():
        target = reference_target(ref)
        if target is None:
            out.extend(i for i, _ in model.output_targets(ref) if i.type == "aws_s3_bucket")
            continue
        out.extend(
            i
            for i in model.designated_by(target[0], near=role.module_address)
            if i.type == "aws_s3_bucket"
        )
    return out


def _referenced_keys(model: RuleModel, instance: Instance) -> list[Instance]:
    """The CMKs user_data names, directly or through an alias."""
    found = model.referenced(instance, "user_data", types=("aws_kms_key", "aws_kms_alias"))
    keys: dict[str, Instance] = {}
    for inst, _ in found:
        key = key_of(model, [inst])
        if key is not None:
            keys.setdefault(key.address, key)
    return list(keys.values())


def _instance_results(
    model: RuleModel, instance: Instance, grants_of: RolesGrants
) -> Iterator[Result]:
    script = script_of(model, instance)
    role = _role_of(model, instance)
    grants = grants_of(role)
    if script is None:
        yield from _hidden_script_results(model, instance, role, grants)
        return
    writes = script_writes(script.text)
    if not writes:
        return  # it writes nothing to S3: incident 12 does not apply
    if role is None:
        yield Result.failed(
            instance.address,
            "iam_instance_profile",
            f"the instance writes to S3 but has no instance profile with a role of {checked(model)}",
            "an instance profile whose role may write to the bucket with its CMK",
        )
        return
    verdicts = _judge_writes(model, instance, script, grants, writes)
    if verdicts.role_failed:
        yield Result.failed(
            role.address, "policy", f"{role.address}: {verdicts.role_failed[0]}", FIX
        )
    elif verdicts.role_unknown:
        yield Result.unknown(
            role.address,
            "policy",
            f"{role.address}: {verdicts.role_unknown[0]}"
            + ("" if grants.complete else f" ({grants.hidden})"),
            FIX,
        )
    needs_fallback = verdicts.kms_buckets or verdicts.unsure_buckets
    if needs_fallback and not any(w.fallback for w in writes):
        yield Result.failed(
            instance.address,
            "user_data",
            "user_data has no 'aws s3api put-object --server-side-encryption aws:kms "
            "--ssekms-key-id' fallback",
            "the put-object fallback with explicit SSE-KMS arguments",
        )
    elif verdicts.instance_unknown:
        yield Result.unknown(instance.address, "user_data", verdicts.instance_unknown[0], FALLBACK)
    elif verdicts.kms_buckets and not verdicts.role_failed and not verdicts.role_unknown:
        yield Result.passed(
            instance.address,
            "user_data",
            f"{role.address} may write to {verdicts.kms_buckets[0]} and encrypt with its CMK; "
            "user_data has the SSE-KMS fallback",
        )


class RolesGrants:
    """Each role's statements, read once (the shared role_policies view underneath)."""

    def __init__(self, model: RuleModel) -> None:
        self.roles = role_policies(model)
        self.seen: dict[str, Grants] = {}

    def __call__(self, role: Instance | None) -> Grants:
        if role is None:
            return Grants([], True)
        found = self.seen.get(role.address)
        if found is None:
            statements, complete, reasons = self.roles.statements(role)
            hidden = reasons[0] if reasons else ""
            found = self.seen[role.address] = Grants(statements, complete, hidden)
        return found


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    grants_of = RolesGrants(model)
    for instance in model.resources("aws_instance"):
        yield from _instance_results(model, instance, grants_of)


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
