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

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

from checker.core.address import designates, reference_target
from checker.core.iam import match
from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown, Value, decode_base64, is_known
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity, checked
from checker.rules.iam import Statement, Tri, action_covered, any_true, resource_entries
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
)

# What S3 calls on the requester's behalf for PutObject under SSE-KMS is kms:GenerateDataKey;
# incident 12's fix also grants kms:Encrypt and kms:DescribeKey (the seed's letter, kept).
AWS_NEEDS = "kms:GenerateDataKey"
KMS_ACTIONS = (AWS_NEEDS, "kms:Encrypt", "kms:DescribeKey")
HASHED = re.compile(r"^[0-9a-f]{40}$")
HOLE = "\x00"  # a piece of an ARN or a name only known after apply
TOKEN = re.compile(r"TFHOLE(\d+)X")


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


@dataclass(frozen=True)
class Script:
    """The user data script: its text, where `TFHOLE<n>X` stands for the n-th value only
    known after apply (a shell word, so the script still parses)."""

    text: str
    holes: tuple[Unknown, ...] = ()

    def hole(self, word: str) -> Unknown | None:
        """The unknown a word is, when the word is exactly one hole."""
        found = TOKEN.fullmatch(word)
        return self.holes[int(found.group(1))] if found else None

    def shown(self, word: str) -> str:
        """The word as written, `${...}` for each hole."""
        return TOKEN.sub(lambda m: self.holes[int(m.group(1))].text(), word)

    def pattern(self, word: str) -> str:
        """The word with HOLE for each hole (a value compared with IAM patterns)."""
        return TOKEN.sub(HOLE, word)


def _render(value: Unknown, holes: list[Unknown]) -> str:
    if value.parts is None:
        holes.append(value)
        return f"TFHOLE{len(holes) - 1}X"
    return "".join(p if isinstance(p, str) else _render(p, holes) for p in value.parts)


def script_of(model: PlanModel, instance: Instance) -> Script | None:
    """The user data script as written, or None when it is hidden (`hidden_script`)."""
    value = instance.get("user_data")
    if isinstance(value, str) and value and not HASHED.match(value):
        return Script(value)
    written = model.written(instance, "user_data")
    encoded = instance.get("user_data_base64")
    if written is None and encoded is not None:  # user_data_base64 written instead
        value = encoded
        written = decode_base64(
            encoded if is_known(encoded) else model.written(instance, "user_data_base64")
        )
    if isinstance(written, str):
        return Script(written)
    if written is None:
        return Script("") if value is None else None
    if isinstance(written, Unknown) and (written.parts or written.reference or written.expression):
        holes: list[Unknown] = []
        text = _render(written, holes)
        if _hides_script(written) and not has_kms_fallback(text):
            return None  # a function call, a file or a refused evaluation hides part of it
        return Script(text, tuple(holes))
    return None


def user_data_text(model: PlanModel, instance: Instance) -> str | None:
    """The user data script's text (holes as shell words), or None when it is hidden."""
    script = script_of(model, instance)
    return None if script is None else script.text


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


# ------------------------------------------------------------------ what the script writes


@dataclass(frozen=True)
class Write:
    """One S3 write of the script: bucket and object key as written, and the KMS key it
    names (`--ssekms-key-id`, `--sse-kms-key-id`; None: the bucket's default encryption)."""

    bucket: str
    key: str
    kms_key: str | None
    fallback: bool  # put-object --server-side-encryption aws:kms --ssekms-key-id


def script_writes(script: str) -> list[Write]:
    """Every `aws s3 cp|mv|sync ... s3://B/K` and `aws s3api put-object --bucket B` of the script."""
    out: list[Write] = []
    for words in commands(script):
        arguments = aws_call(words, "s3", ("cp", "mv", "sync"))
        if arguments is not None:
            out.extend(_copy_writes(arguments))
            continue
        arguments = aws_call(words, "s3api", ("put-object",))
        if arguments is not None and (bucket := option(arguments, "--bucket")):
            kms = option(arguments, "--ssekms-key-id")
            explicit = option(arguments, "--server-side-encryption") == "aws:kms"
            out.append(
                Write(bucket, option(arguments, "--key") or "*", kms, explicit and bool(kms))
            )
    return out


def _copy_writes(arguments: list[str]) -> list[Write]:
    """The destination of `aws s3 cp|mv|sync SRC DST`: its last positional, when in S3."""
    positionals = [w for i, w in enumerate(arguments) if not _is_option(arguments, i)]
    if len(positionals) < 2 or not positionals[-1].startswith("s3://"):
        return []
    bucket, _, key = positionals[-1][len("s3://") :].partition("/")
    kms = option(arguments, "--sse-kms-key-id") if option(arguments, "--sse") else None
    return [Write(bucket, key or "*", kms, False)] if bucket else []


def _is_option(arguments: list[str], index: int) -> bool:
    word = arguments[index]
    if word.startswith("-"):
        return True
    previous = arguments[index - 1] if index else ""
    return previous.startswith("--") and "=" not in previous and previous not in FLAGS


# `aws s3 cp|mv|sync` options that take no value (the others take one).
FLAGS = frozenset(
    {"--recursive", "--dryrun", "--quiet", "--no-guess-mime-type", "--only-show-errors"}
    | {"--no-progress", "--follow-symlinks", "--no-follow-symlinks", "--delete"}
    | {"--exact-timestamps", "--size-only", "--ignore-glacier-warnings", "--force-glacier-transfer"}
    | {"--no-verify-ssl", "--no-paginate", "--debug", "--no-sign-request"}
)


# ------------------------------------------------------------------ indexes (one per model)


@dataclass
class Names:
    """Instances of some types by a known (or template) identifying value, and by module."""

    anywhere: dict[str, list[Instance]] = field(default_factory=lambda: defaultdict(list))
    local: dict[tuple[str, str], list[Instance]] = field(default_factory=lambda: defaultdict(list))

    def add(self, inst: Instance, value: Value) -> None:
        text = value if isinstance(value, str) else _template_text(value)
        if text:
            self.anywhere[text].append(inst)
            self.local[(inst.module_address, text)].append(inst)

    def find(self, text: str, near: str) -> list[Instance]:
        return self.local.get((near, text)) or self.anywhere.get(text, [])


def _template_text(value: Value) -> str | None:
    """A name only partly known (`tap-dev-content-${account}`), as `Script.shown` writes it."""
    return value.text() if isinstance(value, Unknown) and value.parts is not None else None


def _bucket_names(model: PlanModel) -> Names:
    names = Names()
    for bucket in model.resources("aws_s3_bucket"):
        names.add(bucket, bucket.get("bucket"))
    return names


def _key_names(model: PlanModel) -> Names:
    """KMS keys and aliases by every value `--ssekms-key-id` may name them with."""
    names = Names()
    for key in model.resources("aws_kms_key"):
        for attribute in ("arn", "key_id"):
            names.add(key, key.get(attribute))
    for alias in model.resources("aws_kms_alias"):
        for attribute in ("name", "arn"):
            names.add(alias, alias.get(attribute))
    return names


def _encryption_by_bucket(model: PlanModel) -> ReverseIndex:
    return ReverseIndex.build(
        model, "aws_s3_bucket_server_side_encryption_configuration", ("bucket",), ("aws_s3_bucket",)
    )


# ------------------------------------------------------------------ what a write touches

NO_KMS = "no-kms"  # SSE-S3, or SSE-KMS with the AWS managed key: no IAM KMS grant is needed


@dataclass(frozen=True)
class Target:
    """A resource a request names: its ARN (HOLE for what is only known after apply) and
    what a reference to each of its attributes stands for."""

    instance: Instance
    arn: str
    attributes: dict[str, str]
    model: PlanModel | None = field(default=None, compare=False)  # follows module outputs


def bucket_target(model: PlanModel, bucket: Instance, object_key: str) -> Target:
    name = _pattern_value(bucket.get("bucket"))
    arn = f"arn:aws:s3:::{name}"
    attributes = {"arn": arn, "id": name, "bucket": name}
    return Target(bucket, f"{arn}/{object_key}", attributes, model)


def key_target(model: PlanModel, key: Instance) -> Target:
    key_id = _pattern_value(key.get("key_id"))
    arn = key.get("arn")
    if not isinstance(arn, str):
        region = model.region_of(key) or HOLE
        arn = f"arn:aws:kms:{region}:{HOLE}:key/{key_id}"
    return Target(key, arn, {"arn": arn, "key_id": key_id, "id": key_id}, model)


def _pattern_value(value: Value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Unknown) and value.parts is not None:
        return value.render(HOLE)
    return HOLE


def bucket_key(model: PlanModel, bucket: Instance) -> Instance | str | None:
    """The CMK the bucket's default encryption uses; NO_KMS; or None when hidden."""
    for conf in model.view(_encryption_by_bucket).get(bucket):
        algorithm = model.settle(
            conf, "rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"
        )
        if isinstance(algorithm, Unknown):
            return None
        if algorithm not in ("aws:kms", "aws:kms:dsse"):
            return NO_KMS
        path = ("rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id")
        if model.written(conf, *path) in (None, ""):
            return NO_KMS  # aws/s3, whose key policy lets S3 use it for the account
        return _key_of(model, linked(model, conf, path, ("aws_kms_key", "aws_kms_alias")))
    return NO_KMS


def _key_of(model: PlanModel, found: list[Instance]) -> Instance | None:
    for inst in found:
        if inst.type == "aws_kms_key":
            return inst
        targets = linked(model, inst, ("target_key_id",), ("aws_kms_key",))
        if targets:
            return targets[0]
    return None


def _resolve(
    model: PlanModel,
    names: Names,
    instance: Instance,
    script: Script,
    word: str,
    types: tuple[str, ...],
) -> list[Instance] | None:
    """Instances a script word names: by the reference it was written from, else by its
    (known or template) value; [] for none of this plan, None when it cannot be told."""
    hole = script.hole(word)
    if hole is not None:
        found: list[Instance] = []
        for ref in hole.refs:
            target = reference_target(ref)
            if target is None:
                found.extend(i for i, _ in model.output_targets(ref) if i.type in types)
                continue
            found.extend(
                i
                for i in model.designated_by(target[0], near=instance.module_address)
                if i.type in types
            )
        return found or None
    shown = script.shown(word)
    return names.find(shown, instance.module_address) or (None if shown != word else [])


# ------------------------------------------------------------------ IAM evaluation


def request_allowed(statements: list[Statement], action: str, target: Target) -> Tri:
    """May these identity statements make the request? An explicit Deny wins; an Allow or
    a Deny whose conditions the plan cannot evaluate leaves the answer open (IAM
    policy evaluation logic, within one account)."""
    allows: list[Tri] = []
    denied: list[Tri] = []
    for stmt in statements:
        applies = _applies(stmt, action, target)
        if applies is False:
            continue
        conditional = bool(stmt.conditions) or not isinstance(stmt.conditions, list)
        verdict: Tri = None if conditional else applies
        (allows if stmt.allows else denied).append(verdict)
    if True in denied:
        return False
    allowed = any_true(allows)
    if allowed is True and None in denied:
        return None
    return allowed


def _applies(stmt: Statement, action: str, target: Target) -> Tri:
    covered = action_covered(stmt, action)
    if covered is False:
        return False
    if stmt.resources is not None:
        resource = any_true([_entry_matches(e, target) for e in resource_entries(stmt)])
    elif isinstance(stmt.not_resources, list):
        excluded = any_true([_entry_matches(e, target) for e in stmt.not_resources])
        resource = None if excluded is None else not excluded
    else:
        resource = None if stmt.not_resources is not None else False
    if resource is False:
        return False
    return True if covered and resource else None


FOREIGN = "\x01"  # a reference to another resource: the entry names something else


def _entry_matches(entry: object, target: Target) -> Tri:
    """Does one Resource entry cover the target's ARN (IAM wildcards)?"""
    tied = False
    if isinstance(entry, Unknown) and entry.parts is None and entry.reference is None:
        return _shape_hidden(entry, target)
    if isinstance(entry, str):
        pattern = entry
    elif isinstance(entry, Unknown):
        pieces = entry.parts if entry.parts is not None else (entry,)
        out: list[str] = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            stands = _stands_for(piece, target)
            if stands is None or stands == FOREIGN:
                return None if stands is None else False
            tied = True
            out.append(stands)
        pattern = "".join(out)
    else:
        return False
    if match(pattern, target.arn):
        return True
    if HOLE in target.arn and not tied:  # some value of the hidden parts may match
        return None if globs_intersect(pattern.lower(), target.arn.lower()) else False
    return False


@lru_cache(maxsize=4096)
def globs_intersect(pattern: str, value: str) -> bool:
    """Can one string match the IAM pattern (`*`, `?`) and the value, where HOLE stands
    for a name, an account or an ID (text without ':' or '/')? Memoised; ARNs are short."""

    @cache
    def walk(i: int, j: int) -> bool:
        if i == len(pattern) and j == len(value):
            return True
        a = pattern[i] if i < len(pattern) else ""
        b = value[j] if j < len(value) else ""
        if a == "*" and (walk(i + 1, j) or (b != "" and walk(i, j + 1))):
            return True
        if b == HOLE and (walk(i, j + 1) or (a not in ("", ":", "/") and walk(i + 1, j))):
            return True
        if a in ("", "*") or b in ("", HOLE):
            return False
        return (a == b or a == "?") and walk(i + 1, j + 1)

    return walk(0, 0)


def _shape_hidden(entry: Unknown, target: Target) -> Tri:
    """An entry the plan shows only by its references (`"${aws_s3_bucket.b.arn}/*"` and
    `aws_s3_bucket.b.arn` look alike there): read as the one reference it names, a match
    stands (nothing written around an ARN narrows it to another); a miss may be the
    template's text, so it is open. References to other resources only: no match."""
    refs = set(entry.refs)
    named = [r for r in refs if not any(o.startswith(f"{r}.") for o in refs)]
    stands = [_stands_for(Unknown.of_reference(r), target) for r in named]
    if named and all(s == FOREIGN for s in stands):
        return False
    if len(named) == 1 and stands[0] not in (None, FOREIGN):
        return True if match(stands[0], target.arn) else None
    return None


def _stands_for(piece: Unknown, target: Target) -> str | None:
    """The text a reference stands for when it names the target; FOREIGN when it names
    another resource; None when it cannot be told (a variable, a data source, a call)."""
    if piece.reference is None:
        return None
    behind = target.model.output_targets(piece.reference) if target.model is not None else []
    if behind:  # a module's output: the resources behind it
        hits = [a for inst, a in behind if inst.address == target.instance.address]
        if not hits:
            return FOREIGN
        return target.attributes.get(hits[0][0]) if hits[0] else None
    found = reference_target(piece.reference)
    if found is None:
        return None
    address, attribute = found
    if not designates(address, target.instance.address):
        return None if address.startswith("data.") or ".data." in address else FOREIGN
    return target.attributes.get(attribute[0]) if attribute else None


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
    model: PlanModel,
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
    model: PlanModel, instance: Instance, script: Script, grants: Grants, writes: list[Write]
) -> Verdicts:
    """Each write: the bucket it names, the key that encrypts it, and what the role may do."""
    out = Verdicts()
    buckets = model.view(_bucket_names)
    for write in writes:
        found = _resolve(model, buckets, instance, script, write.bucket, ("aws_s3_bucket",))
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
    model: PlanModel,
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
    keys = model.view(_key_names)
    named = _resolve(model, keys, instance, script, write.kms_key, ("aws_kms_key", "aws_kms_alias"))
    key = _key_of(model, named) if named else None
    if key is None:
        out.instance_unknown.append(
            f"it encrypts with {script.shown(write.kms_key)}, not a key of {checked(model)}"
        )
    return key


def _role_of(model: PlanModel, instance: Instance) -> Instance | None:
    profiles = linked(model, instance, ("iam_instance_profile",), ("aws_iam_instance_profile",))
    if not profiles:
        return None
    roles = linked(model, profiles[0], ("role",), ("aws_iam_role",))
    return roles[0] if roles else None


FIX = "s3:PutObject on the bucket's objects and kms:GenerateDataKey, kms:Encrypt, kms:DescribeKey on its CMK"
FALLBACK = "an 'aws s3api put-object --server-side-encryption aws:kms --ssekms-key-id' fallback"


def _hidden_script_results(
    model: PlanModel, instance: Instance, role: Instance | None, grants: Grants
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
    model: PlanModel,
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


def _granted_buckets(model: PlanModel, role: Instance, grants: Grants) -> list[Instance]:
    """Buckets the role's Allow statements for s3:PutObject name (a role that may put objects
    in an SSE-KMS bucket but not use its key fails there, whatever writes)."""
    names = model.view(_bucket_names)
    found: dict[str, Instance] = {}
    for stmt in grants.statements:
        if stmt.allows and action_covered(stmt, "s3:PutObject") is not False:
            for entry in resource_entries(stmt):
                for bucket in _entry_buckets(model, names, role, entry):
                    found.setdefault(bucket.address, bucket)
    return list(found.values())


def _entry_buckets(model: PlanModel, names: Names, role: Instance, entry: Value) -> list[Instance]:
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


def _referenced_keys(model: PlanModel, instance: Instance) -> list[Instance]:
    """The CMKs user_data names, directly or through an alias."""
    found = model.referenced(instance, "user_data", types=("aws_kms_key", "aws_kms_alias"))
    keys: dict[str, Instance] = {}
    for inst, _ in found:
        key = _key_of(model, [inst])
        if key is not None:
            keys.setdefault(key.address, key)
    return list(keys.values())


def _instance_results(
    model: PlanModel, instance: Instance, grants_of: RolesGrants
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

    def __init__(self, model: PlanModel) -> None:
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
