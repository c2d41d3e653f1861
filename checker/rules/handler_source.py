"""Where a Lambda function's package comes from, and the handler's Python source in it.

A function is packaged either by a `data.archive_file` of the configuration
(its `source` blocks, `source_content`, `source_file` or `source_dir`), or
outside Terraform: a zip a build step wrote, uploaded as an `aws_s3_object`
that `s3_key` names, or given as `filename`. In the second case the plan holds
no code, but the stack's files usually do, in one of the usual build layouts.
This module finds the handler's module from the function's `handler` setting,
the way the Python runtime imports it (`modname, fname = handler.rsplit(".", 1)`,
then `import_module(modname.replace("/", "."))`: `index.handler` is `index.py`,
`app.main.handler` and `app/main.handler` are `app/main.py`; see
aws/aws-lambda-python-runtime-interface-client, `awslambdaric/bootstrap.py`,
`_get_handler`), and reads it from, in this order:

1. the archive that packs it, as TAP002 always did;
2. the zip itself, when the build wrote it inside the source root (`filename`,
   or the `source` of the uploaded object): the member the runtime imports;
3. the stack's folders: `src/`, `lambda/`, a folder named like the function
   (its block label or `function_name`) or like the zip (its basename without
   extension), also under `functions/`, `lambdas/`, `src/` and `lambda/`; in the
   function's module directory and in the root module's.

Every read is `RuleModel.read_stack_file`, the stack's confined reader (`checker.source.files`):
nothing outside the source root, no symlink out of it, no credential file.
Several candidate files with different texts are not guessed between: the
answer is that the source is not known, naming them.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from checker.plan.model import Instance
from checker.plan.values import Value
from checker.rules.base import checked
from checker.rules.queries import RuleModel

OBJECT_TYPES = ("aws_s3_object", "aws_s3_bucket_object")
# A zip member bigger than this is not a handler module worth parsing (a zip bomb).
MAX_MEMBER_BYTES = 1024 * 1024
GENERIC_FOLDERS = ("src", "lambda")
NAMED_PARENTS = ("", "functions", "lambdas", "src", "lambda")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class HandlerSource:
    """The handler module's text when exactly one was found, and where it came from (or why
    it was not)."""

    text: str | None
    origin: str


def handler_module(function: Instance) -> str | None:
    """The file the runtime imports for the function's `handler`, relative to the package root
    (`index.handler` -> `index.py`, `app.main.handler` -> `app/main.py`); None when the
    setting is not a known string of that shape."""
    handler = function.get("handler")
    if not isinstance(handler, str) or "." not in handler:
        return None
    module = handler.rsplit(".", 1)[0].replace(".", "/")
    parts = module.split("/")
    if not module or any(not part or part in (".", "..") for part in parts):
        return None
    return f"{module}.py"


# ------------------------------------------------------------------ what packages it


def package_objects(model: RuleModel, function: Instance) -> list[Instance]:
    """The `aws_s3_object`s the function's code comes from: referenced by `s3_key` (or
    `s3_object_version`, `source_code_hash`), else the object whose known key is the
    function's `s3_key` in a bucket that does not contradict `s3_bucket`."""
    found: dict[str, Instance] = {}
    for attribute in ("s3_key", "s3_object_version", "source_code_hash"):
        for target, _ in model.referenced(function, attribute, types=OBJECT_TYPES):
            found.setdefault(target.address, target)
    if found:
        return list(found.values())
    key = function.get("s3_key")
    bucket = function.get("s3_bucket")
    for type_ in OBJECT_TYPES:
        for candidate in model.by_value(type_, "key", key):
            other = candidate.get("bucket")
            if not isinstance(bucket, str) or not isinstance(other, str) or other == bucket:
                found.setdefault(candidate.address, candidate)
    return list(found.values())


def package_archives(model: RuleModel, function: Instance) -> list[Instance]:
    """The `data.archive_file`s that pack the function: referenced by its `filename` or
    `source_code_hash`, or by the `source`/`etag`/`source_hash` of the object it is
    uploaded as; else the archive whose known `output_path` is the function's `filename`
    or the object's `source`."""
    found: dict[str, Instance] = {}
    links: list[tuple[Instance, str]] = [(function, "filename"), (function, "source_code_hash")]
    objects = uploaded_as(model, function)
    links += [(o, a) for o in objects for a in ("source", "etag", "source_hash")]
    for inst, attribute in links:
        for target, _ in model.referenced(inst, attribute, types=("archive_file",)):
            if target.mode == "data":
                found.setdefault(target.address, target)
    if found:
        return list(found.values())
    paths = [function.get("filename"), *(o.get("source") for o in objects)]
    for path in paths:
        if isinstance(path, str):
            for archive in model.by_value("archive_file", "output_path", path):
                found.setdefault(archive.address, archive)
    return list(found.values())


def uploaded_as(model: RuleModel, function: Instance) -> list[Instance]:
    """`package_objects`, computed once per model and function."""
    return model.view_of(package_objects, function)


def _package_paths(model: RuleModel, function: Instance) -> list[str]:
    """The zip files the package is read from: `filename`, or the uploaded object's `source`."""
    values: list[Value] = [model.settle(function, "filename")]
    values += [model.settle(o, "source") for o in uploaded_as(model, function)]
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v))


def _package_names(model: RuleModel, function: Instance) -> list[str]:
    """Names a folder holding the function's code may have: the block label, the known
    `function_name`, and the basename (without extension) of the zip and of its S3 key."""
    values: list[Value] = [function.name, model.settle(function, "function_name")]
    stems: list[Value] = [model.settle(function, "s3_key"), *_package_paths(model, function)]
    stems += [model.settle(o, "key") for o in uploaded_as(model, function)]
    values += [PurePosixPath(v).stem for v in stems if isinstance(v, str)]
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and SAFE_NAME.match(v)))


# ------------------------------------------------------------------ reading


def _bases(model: RuleModel, function: Instance) -> list[str]:
    """The directories (relative to the root module's) that a path of the function's module may
    be relative to: a plan's paths are relative to the root module (`path.module` is the
    module's path from there); static mode evaluates `path.module` as ".", so there the
    module's own directory comes first."""
    module = model.module_directory(function.module) or "."
    bases = list(dict.fromkeys((module, ".")))
    return bases if model.static else bases[::-1]


def _under(base: str, relative: str) -> str:
    return posixpath.normpath(posixpath.join(base, relative))


def _text(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _zip_member(model: RuleModel, bases: list[str], path: str, wanted: str) -> HandlerSource | None:
    """The handler module inside a zip the build wrote, or None when there is no readable zip
    (then the folders may still hold the code)."""
    for base in bases:
        found = model.read_stack_file(_under(base, path))
        if found is not None and found.data is not None:
            return _member(found.path, found.data, wanted)
    return None


def _member(path: str, data: bytes, wanted: str) -> HandlerSource | None:
    """One member of a zip, inflated only up to the cap (a zip bomb stays a few KiB)."""
    too_big = HandlerSource(None, f"{path}: {wanted} is over {MAX_MEMBER_BYTES} bytes")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            try:
                info = archive.getinfo(wanted)
            except KeyError:
                return HandlerSource(None, f"{path} holds no {wanted}")
            if info.file_size > MAX_MEMBER_BYTES:
                return too_big
            with archive.open(info) as member:
                content = member.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError):
        return None
    if len(content) > MAX_MEMBER_BYTES:
        return too_big
    text = _text(content)
    if text is None:
        return HandlerSource(None, f"{path}: {wanted} is not UTF-8 text")
    return HandlerSource(text, f"{path}: {wanted}")


def candidate_folders(names: list[str], wanted: str = "") -> list[str]:
    """The folders, relative to a module directory, where a build usually takes the code from;
    the module directory itself too when the handler names a folder (`src/index.handler`)."""
    named = [f"{parent}/{name}" if parent else name for name in names for parent in NAMED_PARENTS]
    itself = ["."] if "/" in wanted else []
    return list(dict.fromkeys([*GENERIC_FOLDERS, *named, *itself]))


def _search(
    model: RuleModel, bases: list[str], folders: list[str], wanted: str
) -> tuple[dict[str, list[str]], list[str]]:
    """The texts of the candidate files (each with the real paths holding it, in the order
    looked at), and the candidates refused (a symlink out of the source root, ...)."""
    texts: dict[str, list[str]] = {}
    seen: set[str] = set()
    refused: dict[str, None] = {}
    for base in bases:
        for folder in folders:
            found = model.read_stack_file(_under(base, f"{folder}/{wanted}"))
            if found is None or found.path in seen:
                continue
            seen.add(found.path)
            if found.refused:
                refused.setdefault(found.path)
            elif (text := _text(found.data)) is not None:
                texts.setdefault(text, []).append(found.path)
    return texts, list(refused)


def _from_layouts(
    model: RuleModel, bases: list[str], names: list[str], wanted: str, why: str
) -> HandlerSource:
    texts, refused = _search(model, bases, candidate_folders(names, wanted), wanted)
    if not texts:
        named = f" or a folder named {', '.join(names[:3])}" if names else ""
        not_read = (
            f" ({', '.join(refused[:2])} refused: outside the source root)" if refused else ""
        )
        return HandlerSource(None, f"{why}; no {wanted} in src/, lambda/{named}{not_read}")
    if len(texts) > 1:
        files = ", ".join(paths[0] for paths in texts.values())
        return HandlerSource(
            None,
            f"several files could be its handler {wanted}: {files} (keep one, or pack it "
            "with a data.archive_file)",
        )
    ((text, same),) = texts.items()
    origin = same[0] + (f" (the same text as {', '.join(same[1:])})" if len(same) > 1 else "")
    return HandlerSource(text, origin)


def stack_handler_source(model: RuleModel, function: Instance) -> HandlerSource:
    """The handler of a function packaged outside Terraform, read from the stack's files."""
    why = f"the function is not packaged by a data.archive_file of {checked(model)}"
    package_type = function.get("package_type")
    if isinstance(package_type, str) and package_type.lower() == "image":
        return HandlerSource(None, "the function runs a container image: no handler source")
    runtime = function.get("runtime")
    if isinstance(runtime, str) and not runtime.startswith("python"):
        return HandlerSource(None, f"{why}; its {runtime} handler is not read (Python only)")
    wanted = handler_module(function)
    if wanted is None:
        return HandlerSource(None, f"{why}; its handler setting is not known")
    if model.source is None:
        return HandlerSource(
            None, f"{why}; its handler {wanted} is read from the stack's files, not bound here"
        )
    bases = _bases(model, function)
    for path in _package_paths(model, function):
        packed = _zip_member(model, bases, path, wanted)
        if packed is not None:
            return packed
    return _from_layouts(model, bases, _package_names(model, function), wanted, why)


# ------------------------------------------------------------------ the archive


def _archive_file(model: RuleModel, relative: str) -> tuple[str | None, str]:
    """A file an archive packs (`source_file`, or below `source_dir`), root-relative."""
    found = model.read_stack_file(relative)
    if found is None:
        return None, relative
    return _text(found.data), found.path


def archive_handler_source(
    model: RuleModel, function: Instance, archive: Instance
) -> HandlerSource:
    """The handler's Python source as the archive packs it, and where it came from."""
    wanted = handler_module(function) or "index.py"
    sources = archive.get("source")
    if isinstance(sources, list):
        for block in sources:
            if isinstance(block, dict) and block.get("filename") == wanted:
                content = block.get("content")
                if isinstance(content, str):
                    return HandlerSource(content, f"{archive.address} source {wanted}")
                hidden = (
                    "not known from the .tf files" if model.static else "only known after apply"
                )
                return HandlerSource(
                    None, f"{archive.address}: the content of {wanted} is {hidden}"
                )
    content = archive.get("source_content")
    if isinstance(content, str):
        return HandlerSource(content, f"{archive.address} source_content")
    for attr in ("source_file", "source_dir"):
        path = archive.get(attr)
        if isinstance(path, str):
            relative = path if attr == "source_file" else f"{path}/{wanted}"
            text, shown = _archive_file(model, relative)
            if text is not None:
                return HandlerSource(text, shown)
    where = "the sources" if model.static else "the plan or sources"
    return HandlerSource(None, f"{archive.address}: the handler source {wanted} is not in {where}")


def handler_source(model: RuleModel, function: Instance) -> HandlerSource:
    """The function's handler source: from the archive that packs it, else from the stack."""
    archives = package_archives(model, function)
    if archives:
        return archive_handler_source(model, function, archives[0])
    return stack_handler_source(model, function)
