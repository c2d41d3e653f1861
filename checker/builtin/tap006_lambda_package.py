"""TAP006: the Lambda package is built deterministically.

Why: an archive written to a changing directory, or fed a whole directory with
stray files, changed hash on every run, so every apply redeployed the function
(incident 6).

Anti-pattern: `source_dir` without `excludes`; `output_path` under a temp
directory or built from `timestamp()`/`uuid()` (unknown until apply); a
`source_code_hash` that is not the archive's `output_base64sha256`. For a
package built outside Terraform and uploaded as an `aws_s3_object`: a key,
`source`, `etag` or `source_hash` built from `timestamp()`/`uuid()` (or the
function's own `s3_key`/`filename`), so every plan uploads and deploys anew.
Best practice: `data.archive_file` with a `source` block (or `source_file`),
a fixed `output_path`, and `source_code_hash = data.archive_file.X.output_base64sha256`;
an uploaded package under a fixed key (or one named by its content hash, such
as `filemd5()`), with `source_hash = filemd5(<the zip>)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from checker.api import (
    EngineCoverage,
    EngineName,
    Expression,
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    SetValue,
    Severity,
    Unknown,
    text_of,
)
from checker.rules.fix_idioms import written_text
from checker.rules.handler_source import package_archives, uploaded_as

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
        "data.archive_file.X.output_base64sha256. Upload a package built elsewhere under a "
        "fixed or content-addressed key, never one built from timestamp() or uuid()."
    ),
    resource_types=("aws_lambda_function", "archive_file", "aws_s3_object"),
    aws_model=(
        "The AWS provider calls Lambda UpdateFunctionCode when filename, s3_key, "
        "s3_object_version or source_code_hash changes between plans; Lambda computes "
        "CodeSha256 as the base64 SHA-256 of the package. A package whose bytes or path change "
        "on every run (an output_path under a temporary directory, a source_dir that picks up "
        "stray files, an object key or source built from timestamp()/uuid()) is therefore "
        "uploaded and deployed on every apply. archive_file's output_base64sha256 is exactly "
        "the hash Lambda reports, so source_code_hash from it changes only with the code."
    ),
    letter_vs_aws=(
        "The seed's fix is a fixed output_path, only the inlined index.py, and the archive's "
        "hash in source_code_hash. AWS needs only a package that is the same on every plan: "
        "source_file, a source block, or source_dir with excludes pass alike, and an upload "
        "under a fixed or content-addressed key passes. Provider 6 treats source_code_hash as "
        "a free trigger, provider 5.x documents it as the package's base64 SHA-256: the rule "
        "keeps the seed's stricter choice (output_base64sha256, or filebase64sha256 of the "
        "archive's output_path, the same value), which is safe in both."
    ),
    limits=(
        "Whether the handler module named by handler exists in the package, the package size "
        "limits, container images (image_uri) and layers are not judged. A source_dir's "
        "contents are not listed: excludes are taken on trust. A hash computed outside "
        "Terraform (a variable) is accepted when its plan value is the archive's hash."
    ),
    references=(
        "Terraform AWS provider, aws_lambda_function: source_code_hash "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function)",
        "Terraform archive provider, archive_file data source "
        "(https://registry.terraform.io/providers/hashicorp/archive/latest/docs/data-sources/file)",
        "AWS Lambda API Reference, UpdateFunctionCode "
        "(https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionCode.html)",
        "AWS Lambda API Reference, FunctionConfiguration: CodeSha256 "
        "(https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html)",
    ),
    needs_person=(
        "how the package is built (paths, excludes, a fixed output name) is the build's choice; "
        "a hash from a variable or another module is set where it is decided"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            why=(
                "the archive data source lives in `prior_state`, which checkov does not load, and"
                " the rule compares how values relate (hash from the archive)"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            why="the archive lives in `prior_state` and the rule is about how values relate",
        ),
    ),
)

TEMP_PATH = re.compile(r"(^|[/\\])(tmp|temp)([/\\]|$)|%TEMP%|\$TMPDIR|\.terraform[/\\]tmp", re.I)
VOLATILE = re.compile(r"\b(timestamp|uuid|plantimestamp|bcrypt)\s*\(")


# What an uploaded package is made of; each is uploaded (and the function deployed) anew when it
# changes between plans.
OBJECT_ATTRIBUTES = ("key", "source", "etag", "source_hash")
FUNCTION_ATTRIBUTES = ("s3_key", "filename", "source_code_hash")


# References Terraform always knows at plan: a root module's variables, paths, the workspace,
# `count.index` and `each.key`.
KNOWN_AT_PLAN = ("path.", "terraform.", "count.index", "each.key")


def _known_at_plan(inst: Instance, expression: Expression) -> bool:
    return all(
        ref.startswith(KNOWN_AT_PLAN) or (not inst.module and ref.startswith("var."))
        for ref in expression.references
    )


def _volatile(model: RuleModel, inst: Instance, attribute: str) -> tuple[bool | None, str]:
    """Is one attribute of the package the same on every plan? (None: cannot tell, and why)."""
    if inst.declared(attribute) is None:
        return True, ""
    value = model.settle(inst, attribute)
    call = VOLATILE.search(text_of(value))
    if call is not None:
        return False, f"{inst.address} {attribute} is built from {call.group(1)}()"
    if attribute == "source" and isinstance(value, str) and TEMP_PATH.search(value):
        return False, f"{inst.address} uploads from a temporary directory ({value})"
    if model.static or not isinstance(inst.get(attribute), Unknown):
        return True, ""  # the sources show every call; a plan's known value is fixed
    if isinstance(value, Unknown) and (value.parts is not None or value.expression is not None):
        return True, ""  # the sources show what it is built from, and no impure call
    expression = inst.expression(attribute)
    if expression.present and not expression.has_constant and _known_at_plan(inst, expression):
        # At plan time only computed attributes (always referenced) and the impure functions
        # are unknown: an unknown built from nothing else is timestamp()/uuid()/bcrypt().
        refs = expression.references
        inputs = "references no value"
        if refs:
            inputs = f"references only {', '.join(refs[:3])}, known at plan"
        return False, (
            f"{inst.address} {attribute} is only known after apply, yet it {inputs}: "
            "an impure function such as timestamp() or uuid() builds it"
        )
    if model.source is None and isinstance(value, Unknown) and value.refs:
        return None, (
            f"{inst.address} {attribute} is {value.describe()}; the stack's .tf files show "
            "whether timestamp() or uuid() builds it"
        )
    return True, ""


def _package_problem(
    model: RuleModel, function: Instance, objects: list[Instance], archives: list[Instance]
) -> tuple[bool | None, str, str]:
    """(verdict, attribute of the function, why) for the parts of a package: the function's
    `s3_key`, `filename` and `source_code_hash`, and what the object it is uploaded as is
    made of. What an archive of the plan provides is judged as an archive."""
    undecided: tuple[str, str] | None = None
    parts = [(function, a) for a in FUNCTION_ATTRIBUTES]
    parts += [(o, a) for o in objects for a in OBJECT_ATTRIBUTES]
    for inst, attribute in parts:
        if _judged_elsewhere(model, inst, attribute, [*objects, *archives]):
            continue
        if inst is function and archives and attribute != "s3_key":
            continue  # the archive's output_path and hash are judged as such
        ok, why = _volatile(model, inst, attribute)
        named = attribute if inst is function else "s3_key"
        if ok is False:
            return False, named, why
        if ok is None and undecided is None:
            undecided = (named, why)
    if undecided is not None:
        return None, *undecided
    return True, "", ""


def _judged_elsewhere(
    model: RuleModel, inst: Instance, attribute: str, parts: list[Instance]
) -> bool:
    """`s3_key = aws_s3_object.X.key`, `source = data.archive_file.X.output_path`: the value
    is judged where it is made."""
    made = {part.address for part in parts if part is not inst}
    return any(target.address in made for target, _ in model.referenced(inst, attribute))


def _archives(model: RuleModel, function: Instance) -> list[Instance]:
    return package_archives(model, function)


def _archive_problem(model: RuleModel, archive: Instance) -> tuple[bool | None, str, str]:
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


def _hash_from_archive(model: RuleModel, function: Instance, archive: Instance) -> bool | None:
    for ref in function.references("source_code_hash"):
        if ref.endswith(".output_base64sha256") and archive in model.resolve(function, ref):
            return True
    # Optional+Computed: unset in the configuration, the plan says "known after apply"
    # for what is simply absent (declared() reads it as None).
    value = function.declared("source_code_hash")
    if isinstance(value, str) and value == archive.get("output_base64sha256"):
        return True
    if _hashes_the_output(model, function, archive):
        return True
    if isinstance(value, Unknown) and not function.references("source_code_hash"):
        return None
    return False


def _hashes_the_output(model: RuleModel, function: Instance, archive: Instance) -> bool:
    """`filebase64sha256(data.archive_file.X.output_path)`: the base64 SHA-256 of the zip the
    archive wrote, which is its output_base64sha256 (and Lambda's CodeSha256). A plan shows
    the two values equal; the .tf files alone show only the call."""
    value = model.settle(function, "source_code_hash")
    if not isinstance(value, Unknown) or value.expression is None:
        return False
    if not value.expression.startswith("filebase64sha256("):
        return False
    refs = function.references("source_code_hash")
    paths = [ref for ref in refs if ref.endswith(".output_path")]
    return bool(paths) and all(archive in model.resolve(function, ref) for ref in paths)


FIXED_UPLOAD = "a package uploaded under a fixed (or content-addressed) key from fixed inputs"


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    for function in model.resources("aws_lambda_function"):
        archives = _archives(model, function)
        objects = uploaded_as(model, function)
        uploaded, part, volatile = _package_problem(model, function, objects, archives)
        if uploaded is False:
            yield Result.failed(function.address, part, volatile, FIXED_UPLOAD)
            continue
        if not archives:
            if uploaded is None:
                yield Result.unknown(function.address, part, volatile, FIXED_UPLOAD)
            elif objects:
                yield Result.passed(function.address, "s3_key", _uploaded(model, objects))
            continue
        yield from _judge_archive(model, function, archives[0], (uploaded, part, volatile))


def _uploaded(model: RuleModel, objects: list[Instance]) -> str:
    keys = ", ".join(text_of(model.settle(o, "key")) for o in objects)
    names = ", ".join(o.address for o in objects)
    return f"{names} uploads the package under a fixed key ({keys}) from fixed inputs"


def _judge_archive(
    model: RuleModel,
    function: Instance,
    archive: Instance,
    upload: tuple[bool | None, str, str],
) -> Iterator[Result]:
    ok, attribute, why = _archive_problem(model, archive)
    if ok is False:
        yield Result.failed(
            function.address,
            attribute,
            why,
            "a single source file or source block written to a fixed output_path",
        )
        return
    from_archive = _hash_from_archive(model, function, archive)
    if from_archive is False:
        unset = function.declared("source_code_hash") is None
        failed = Result.failed(
            function.address,
            "source_code_hash",
            "source_code_hash is not set"
            if unset
            else f"source_code_hash is not {archive.config_address}.output_base64sha256",
            f"source_code_hash = {archive.config_address}.output_base64sha256",
        )
        yield _hash_fixed(failed, function, archive)
    elif from_archive is None or ok is None:
        yield Result.unknown(
            function.address,
            "source_code_hash",
            why or "source_code_hash is only known after apply",
        )
    elif upload[0] is None:
        yield Result.unknown(function.address, upload[1], upload[2], FIXED_UPLOAD)
    else:
        yield Result.passed(
            function.address,
            "source_code_hash",
            f"{archive.address} packs fixed inputs to {archive.get('output_path')} and feeds "
            "source_code_hash",
        )


OWN_INPUTS = ("var.", "local.", "module.")  # what the stack's callers or authors decide


def _hash_fixed(failed: Result, function: Instance, archive: Instance) -> Result:
    """source_code_hash fed by the archive the function deploys, when both are blocks of one
    module and the hash is unset or another reference (a variable's is the stack's choice)."""
    written = function.config.expression("source_code_hash") if function.config else None
    text = written_text(written) if written is not None and written.present else None
    replaceable = (
        written is None
        or not written.present
        or (text is not None and not written.has_constant and not text.startswith(OWN_INPUTS))
    )
    if (
        not replaceable
        or archive.config is None
        or archive.index is not None
        or archive.module != function.module
    ):
        return failed.needs_person(
            "the hash comes from a variable, another module or a repeated archive: set what "
            "feeds it"
        )
    hash_of = f"{archive.config.local_address}.output_base64sha256"
    return failed.fixed_by(SetValue(function.address, ("source_code_hash",), hash_of))


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
