"""The S3 writes of an EC2 instance's user data (for TAP012): the script read from the
configuration or the HCL source, its `aws s3 cp|mv|sync` and `aws s3api put-object` writes,
and whether it keeps the KMS fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.plan.model import Instance
from checker.plan.values import Unknown, decode_base64, is_known
from checker.rules.queries import RuleModel
from checker.rules.shell import aws_call, commands, option

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


def script_of(model: RuleModel, instance: Instance) -> Script | None:
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


def user_data_text(model: RuleModel, instance: Instance) -> str | None:
    """The user data script's text (holes as shell words), or None when it is hidden."""
    script = script_of(model, instance)
    return None if script is None else script.text


def hidden_script(model: RuleModel, instance: Instance) -> str:
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
