"""TAP006: the Lambda package is built deterministically.

Why: an archive written to a changing directory, or fed a whole directory with
stray files, changed hash on every run, so every apply redeployed the function
(incident 6).

Anti-pattern: `source_dir` without `excludes`; `output_path` under a temp
directory or built from `timestamp()`/`uuid()` (unknown until apply); a
`source_code_hash` that is not the archive's `output_base64sha256`.
Best practice: `data.archive_file` with a `source` block (or `source_file`),
a fixed `output_path`, and `source_code_hash = data.archive_file.X.output_base64sha256`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown, text_of
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity

META = RuleMeta(
    id="TAP006",
    title="Lambda package is built deterministically",
    severity=Severity.LOW,
    incident=6,
    rationale=(
        "A package whose bytes or path change between runs makes every apply redeploy the "
        "function and hides real changes."
    ),
    remediation=(
        "Package with data.archive_file from a source block or a single source_file (or "
        "source_dir with excludes), write to a fixed output_path such as "
        '"${path.module}/build/lambda.zip", and set source_code_hash = '
        "data.archive_file.X.output_base64sha256."
    ),
    resource_types=("aws_lambda_function", "archive_file"),
)

TEMP_PATH = re.compile(r"(^|[/\\])(tmp|temp)([/\\]|$)|%TEMP%|\$TMPDIR|\.terraform[/\\]tmp", re.I)
VOLATILE = re.compile(r"\b(timestamp|uuid|plantimestamp|bcrypt)\s*\(")


def _archives(model: PlanModel, function: Instance) -> list[Instance]:
    found: dict[str, Instance] = {}
    for attr in ("filename", "source_code_hash"):
        for target, _ in model.referenced(function, attr):
            if target.mode == "data" and target.type == "archive_file":
                found.setdefault(target.address, target)
    if not found:
        filename = function.get("filename")
        if isinstance(filename, str):
            for archive in model.by_value("archive_file", "output_path", filename):
                found.setdefault(archive.address, archive)
    return list(found.values())


def _archive_problem(model: PlanModel, archive: Instance) -> tuple[bool | None, str, str]:
    source_dir = archive.get("source_dir")
    excludes = archive.get("excludes")
    if source_dir not in (None, "") and not excludes:
        return False, "source_dir", f"{archive.address} zips a whole directory without excludes"
    output = archive.get("output_path")
    if VOLATILE.search(text_of(model.settle(archive, "output_path"))):
        return False, "output_path", f"{archive.address} output_path uses timestamp()/uuid()"
    if isinstance(output, Unknown):
        return (
            False,
            "output_path",
            f"{archive.address} output_path is only known at apply (built from timestamp(), "
            "uuid() or a computed value)",
        )
    if isinstance(output, str) and TEMP_PATH.search(output):
        return False, "output_path", f"{archive.address} writes to a temporary directory ({output})"
    if not isinstance(output, str):
        return None, "output_path", f"{archive.address} output_path is not readable"
    return True, "", ""


def _hash_from_archive(model: PlanModel, function: Instance, archive: Instance) -> bool | None:
    for ref in function.references("source_code_hash"):
        if ref.endswith(".output_base64sha256") and archive in model.resolve(function, ref):
            return True
    # Optional+Computed: unset in the configuration, the plan says "known after apply"
    # for what is simply absent (declared() reads it as None).
    value = function.declared("source_code_hash")
    if isinstance(value, str) and value == archive.get("output_base64sha256"):
        return True
    if isinstance(value, Unknown) and not function.references("source_code_hash"):
        return None
    return False


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    for function in model.resources("aws_lambda_function"):
        archives = _archives(model, function)
        if not archives:
            continue
        archive = archives[0]
        ok, attribute, why = _archive_problem(model, archive)
        if ok is False:
            yield Result.failed(
                function.address,
                attribute,
                why,
                "a single source file or source block written to a fixed output_path",
            )
            continue
        from_archive = _hash_from_archive(model, function, archive)
        if from_archive is False:
            unset = function.declared("source_code_hash") is None
            yield Result.failed(
                function.address,
                "source_code_hash",
                "source_code_hash is not set"
                if unset
                else f"source_code_hash is not {archive.config_address}.output_base64sha256",
                f"source_code_hash = {archive.config_address}.output_base64sha256",
            )
        elif from_archive is None or ok is None:
            yield Result.unknown(
                function.address,
                "source_code_hash",
                why or "source_code_hash is only known after apply",
            )
        else:
            yield Result.passed(
                function.address,
                "source_code_hash",
                f"{archive.address} packs fixed inputs to {archive.get('output_path')} and feeds "
                "source_code_hash",
            )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
