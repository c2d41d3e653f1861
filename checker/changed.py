"""`check --changed`: the inputs behind a list of changed files (what pre-commit passes).

A changed `.tf`/`.tfvars` file stands for its stack: the configured stack
directory holding it (`[tool.checker] stacks`, the deepest one wins), or,
with no list configured, its own directory when that directory holds `.tf`
or `.tf.json` files. A changed plan file (`.json`) is checked itself. Anything else, and a
file in no stack, is left out. Each stack is checked once, however many of its
files changed.
"""

from __future__ import annotations

from pathlib import Path

HCL_SUFFIXES = (".tf", ".tfvars", ".tf.json", ".tfvars.json")


def _holds_tf(folder: Path) -> bool:
    """Terraform configuration in either syntax: `.tf` or `.tf.json` files."""
    return any(p.is_file() for suffix in (".tf", ".tf.json") for p in folder.glob(f"*{suffix}"))


def _configured_stack(path: Path, stacks: tuple[Path, ...]) -> Path | None:
    resolved = path.resolve()
    holding = [s for s in stacks if resolved.is_relative_to(s.resolve())]
    return max(holding, key=lambda s: len(s.resolve().parts)) if holding else None


def inputs_of_changes(changed: list[str], stacks: tuple[Path, ...]) -> list[str]:
    """Stack directories and plan files to check, in the order the changes name them."""
    out: dict[str, None] = {}
    for name in changed:
        path = Path(name)
        if name.endswith(HCL_SUFFIXES):
            stack = _configured_stack(path, stacks) if stacks else path.parent
            if stack is not None and (stacks or _holds_tf(stack)):
                out[str(stack)] = None
        elif name.endswith(".json") and path.is_file():
            out[name] = None
    return list(out)
