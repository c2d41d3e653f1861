"""The layouts users put many copies of one stack in, for the benchmark and the growth test.

- `for_each_modules`: one module block with a `for_each` of N keys;
- `module_blocks`: N separate `module` blocks calling the same source (a monorepo root),
  each after the first ordered behind it with a module-level `depends_on`;
- `flat_root`: N renamed copies of every resource in the root module.

Each copy is the whole canonical stack, references and policy documents
included, so joins scale with the size. Plans are rendered by the test plan
builder: benchmarks need sizes real Terraform cannot plan here in reasonable time.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.canonical_stack import canonical_stack
from tests.support.modules import in_module
from tests.support.plan_builder import Block, Expr, Output, Resource, Stack

PER_COPY = sum(1 for r in canonical_stack().resources if r.mode == "managed")


def for_each_modules(copies: int) -> Stack:
    return in_module(canonical_stack(), "tap", [f"team-{i:05d}" for i in range(copies)])


def module_blocks(copies: int) -> Stack:
    base = in_module(canonical_stack(), "tap_00000")
    child, inputs = base.modules["tap_00000"], base.module_inputs["tap_00000"]
    names = [f"tap_{i:05d}" for i in range(copies)]
    return Stack(
        variables=base.variables,
        resources=[],
        outputs=[],
        provider_region=base.provider_region,
        modules={name: child.copy() for name in names},
        module_inputs={name: dict(inputs) for name in names},
        module_depends_on={name: [f"module.{names[0]}"] for name in names[1:]},
    )


def flat_root(copies: int) -> Stack:
    stack = canonical_stack()
    addresses = sorted((r.address for r in stack.resources), key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w.-])(" + "|".join(re.escape(a) for a in addresses) + r")(?![\w-])"
    )
    resources: list[Resource] = []
    outputs: list[Output] = []
    for i in range(copies):

        def rename(text: str, i: int = i) -> str:
            return pattern.sub(lambda m: f"{m.group(1)}_{i:05d}", text)

        for res in stack.copy().resources:
            resources.append(
                Resource(
                    address=rename(res.address),
                    attrs={k: _renamed(v, rename) for k, v in res.attrs.items()},
                    depends_on=[rename(d) for d in res.depends_on],
                    provider=res.provider,
                    read_values=res.read_values,
                    stored=res.stored,
                    count=res.count,
                    sensitive_attrs=res.sensitive_attrs,
                )
            )
        outputs += [
            Output(f"{o.name}_{i:05d}", _renamed(o.expr, rename), o.sensitive)
            for o in stack.outputs
        ]
    return Stack(
        variables=stack.variables,
        resources=resources,
        outputs=outputs,
        provider_region=stack.provider_region,
        locals_refs=stack.locals_refs,
    )


def _renamed(value: Any, rename: Callable[[str], str]) -> Any:
    if isinstance(value, Expr):
        return Expr(_renamed(value.value, rename), tuple(rename(r) for r in value.refs))
    if isinstance(value, Block):
        return Block([_renamed(item, rename) for item in value.items])
    if isinstance(value, dict):
        return {k: _renamed(v, rename) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, rename) for v in value]
    if isinstance(value, str):
        return rename(value)
    return value


LAYOUTS: dict[str, Callable[[int], Stack]] = {
    "for_each modules": for_each_modules,
    "module blocks": module_blocks,
    "flat root": flat_root,
}


# ----------------------------------------------------------------- sources

STACK_TF = Path(__file__).resolve().parents[2] / "tap_stack.tf"
HANDLER = Path(__file__).resolve().parents[2] / "lambda"
TOP_BLOCK = re.compile(r'^(resource|data)\s+"([\w-]+)"\s+"([\w-]+)"', re.M)


def _top_blocks(text: str) -> list[str]:
    """The top-level blocks of a formatted .tf file, comments and blank lines dropped."""
    blocks: list[str] = []
    current: list[str] = []
    for line in text.splitlines(keepends=True):
        if not current and (not line.strip() or line.startswith(("#", "//"))):
            continue
        current.append(line)
        if line.rstrip() == "}" or (len(current) == 1 and line.rstrip().endswith("}")):
            blocks.append("".join(current))
            current = []
    return blocks


def _flat_copy(text: str, i: int) -> str:
    """Copy `i` of the stack for a flat root: every name suffixed, shared blocks once."""
    suffix = f"_{i:05d}"
    names = TOP_BLOCK.findall(text)
    locals_ = re.findall(r"^  (\w+)\s+=", text.split("locals {", 1)[1].split("\n}", 1)[0], re.M)
    kept: list[str] = []
    for block in _top_blocks(text):
        head = block.split(None, 1)[0]
        if head in ("terraform", "provider", "variable") and i > 0:
            continue
        kept.append(block)
    out = "\n".join(kept)
    for kind, type_, name in names:
        prefix = "data." if kind == "data" else ""
        out = re.sub(
            rf'^{kind}(\s+)"{re.escape(type_)}"(\s+)"{re.escape(name)}"',
            rf'{kind}\1"{type_}"\2"{name}{suffix}"',
            out,
            flags=re.M,
        )
        out = re.sub(
            rf"(?<![\w.-]){re.escape(prefix + type_)}\.{re.escape(name)}(?![\w-])",
            f"{prefix}{type_}.{name}{suffix}",
            out,
        )
    for name in locals_:
        out = re.sub(rf"^  {name}(\s+)=", rf"  {name}{suffix}\1=", out, flags=re.M)
        out = re.sub(rf"(?<![\w.])local\.{name}(?![\w-])", f"local.{name}{suffix}", out)
    return re.sub(r'^output\s+"(\w+)"', rf'output "\1{suffix}"', out, flags=re.M)


def write_sources(layout: str, copies: int, folder: Path) -> Path:
    """The `.tf` files of a layout (the canonical stack's, in that layout) under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(HANDLER, folder / "lambda", dirs_exist_ok=True)
    text = STACK_TF.read_text(encoding="utf-8")
    if layout == "flat root":
        for i in range(copies):
            (folder / f"copy_{i:05d}.tf").write_text(_flat_copy(text, i), encoding="utf-8")
        return folder
    stack = folder / "stack"
    stack.mkdir(exist_ok=True)
    (stack / "main.tf").write_text(text, encoding="utf-8")
    shutil.copytree(HANDLER, stack / "lambda", dirs_exist_ok=True)
    if layout == "for_each modules":
        keys = ", ".join(f'"team-{i:05d}"' for i in range(copies))
        calls = f'module "tap" {{\n  for_each = toset([{keys}])\n  source   = "./stack"\n}}\n'
    else:
        calls = "".join(
            f'module "tap_{i:05d}" {{\n  source = "./stack"\n'
            + ("  depends_on = [module.tap_00000]\n" if i else "")
            + "}\n\n"
            for i in range(copies)
        )
    (folder / "main.tf").write_text(calls, encoding="utf-8")
    return folder
