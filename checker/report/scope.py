"""Which stack a finding belongs to, and which default waiver files speak for it.

A monorepo holds many stacks, and `aws_iam_role.fn` exists in many of them:
an address alone does not say which resource failed. Every finding therefore
carries its stack, the directory of its input relative to the repository root
(`stacks/app`; `.` for a stack at the root), and baselines and waivers match
on rule, stack and address. An input outside the repository (and outside the
working directory, when there is no repository) keeps the path it was given.
"""

from __future__ import annotations

from pathlib import Path

from checker.workspace import repository_root, tree_root


def shown_path(path: Path) -> str:
    """How a report names a file: relative to its repository's root; outside any repository,
    relative to the working directory when it lies under it; else absolute (never a climb of
    `../..` that depends on where the command ran)."""
    real = path.resolve()
    root = repository_root(real.parent)
    if root is None:
        here = Path.cwd().resolve()
        root = here if real.is_relative_to(here) else None
    return real.relative_to(root).as_posix() if root is not None else real.as_posix()


def input_folder(
    name: str, stack_dir: Path | None = None, source: Path | None = None
) -> Path | None:
    """The directory a checked input stands for: `stack_dir` when the caller knows it (`checker
    apply` plans into a temporary file from the stack's directory), a directory input itself, a
    plan's parent, or for stdin the `--source` directory (None without one)."""
    if stack_dir is not None:
        return stack_dir
    if name == "-":
        return source
    path = Path(name)
    return path if path.is_dir() else path.parent


def stack_of(name: str, stack_dir: Path | None = None, source: Path | None = None) -> str:
    """The stack of input `name`: its folder relative to its repository root (POSIX), else
    the input's own name (stdin is "-")."""
    folder = input_folder(name, stack_dir, source)
    if folder is None:
        return name
    real = folder.resolve()
    root = repository_root(real) or tree_root()
    if real == root:
        return "."
    if real.is_relative_to(root):
        return real.relative_to(root).as_posix()
    return name if stack_dir is None else str(folder)
