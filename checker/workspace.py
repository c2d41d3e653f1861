"""The checked tree: where it is, whether this is a CI job, and what in it is never read.

A CI job checks out the pull request into a working directory and runs the
gate there. Everything inside that tree is the pull request's; the trust
decisions of `docs/security.md` ask three questions of it, answered here:

- `ci_mode()`: is this a CI job? (`CI`, `GITHUB_ACTIONS`, `GITLAB_CI`, as the
  CI systems set them.) Some choices are stricter there: settings from the
  tree that widen what runs are refused instead of ignored, a binary plan is
  refused unless the job asks for it.
- `tree_roots()`: the checked tree, the repository holding the working
  directory (its `.git` folder) or, outside one, the working directory, plus
  the repositories of the inputs.
- `is_secret_path()`: a path inside the tree the checker never reads: `.git/`
  (actions/checkout leaves the job's token in `.git/config`) and the credential
  files CI tools write into a checkout (google-github-actions/auth's
  `gha-creds-*.json` in `$GITHUB_WORKSPACE`, netrc, git, npm, PyPI, Docker,
  AWS, Terraform and kube credentials).

`expand_globs` expands the `--plans`/`--reports` globs of `checker ci gate`
without following symlinks out of the tree, with a bound on depth and matches.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import pairwise
from pathlib import Path, PurePath

from checker.errors import InputError

TRUE = ("1", "true", "yes", "on")
SECRET_NAMES = frozenset(
    {
        ".git",
        ".git-credentials",
        ".gitconfig",
        ".netrc",
        "_netrc",
        ".npmrc",
        ".pypirc",
        ".terraformrc",
        "terraform.rc",
        "credentials.tfrc.json",
        ".dockercfg",
        ".kube",
        "kubeconfig",
    }
)
SECRET_PAIRS = frozenset({(".docker", "config.json"), (".aws", "credentials"), (".aws", "config")})
SECRET_PATTERNS = (re.compile(r"gha-creds-[A-Za-z0-9_-]+\.json"),)
MAX_GLOB_MATCHES = 10_000
MAX_GLOB_DEPTH = 32
MAX_GLOB_VISITS = 200_000


def ci_mode(env: Mapping[str, str] | None = None) -> bool:
    """Does the environment say this is a CI job (GitHub Actions, GitLab CI, or `CI=true`)?"""
    env = os.environ if env is None else env
    return any(
        env.get(name, "").strip().lower() in TRUE for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI")
    )


def repository_root(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding `.git`."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def tree_root(start: Path | None = None) -> Path:
    """The checked tree of `start` (default: the working directory): its repository, else itself."""
    here = (start or Path.cwd()).resolve()
    return repository_root(here) or here


def tree_roots(inputs: Iterable[str] = ()) -> tuple[Path, ...]:
    """The working directory's tree and the trees of the inputs (files or directories)."""
    roots = [tree_root()]
    for name in inputs:
        if name == "-":
            continue
        path = Path(name)
        folder = path if path.is_dir() else path.parent
        if folder.is_dir():
            roots.append(tree_root(folder))
    return tuple(dict.fromkeys(roots))


def inside_any(path: Path, roots: Iterable[Path]) -> Path | None:
    """The first of `roots` that holds `path` (resolved), else None."""
    real = path.resolve()
    return next((root for root in roots if real == root or real.is_relative_to(root)), None)


def is_secret_path(relative: PurePath) -> bool:
    """Is this path (relative to a checked tree) `.git/` or a credential file CI tools write?"""
    parts = relative.parts
    if any(part in SECRET_NAMES for part in parts):
        return True
    if any(pair in SECRET_PAIRS for pair in pairwise(parts)):
        return True
    return bool(parts) and any(p.fullmatch(parts[-1]) for p in SECRET_PATTERNS)


def _segments(pattern: str) -> list[str]:
    return [part for part in PurePath(pattern).parts if part not in ("", ".")]


def expand_globs(patterns: str, root: Path | None = None) -> list[str]:
    """Paths and globs (`**` included), each glob's matches sorted; a glob matching nothing is
    an error. Matching never follows a symlinked directory, never leaves `root` (the checked
    tree), never descends into `.git`, and stops at `MAX_GLOB_DEPTH` levels and
    `MAX_GLOB_MATCHES` matches (exit 2 beyond)."""
    top = (root or tree_root()).resolve()
    start = Path.cwd()
    out: list[str] = []
    for pattern in patterns.split():
        if not any(ch in pattern for ch in "*?["):
            out.append(pattern)
            continue
        if os.path.isabs(pattern) or ".." in PurePath(pattern).parts:
            raise InputError(f"{pattern[:80]}: a glob stays inside the checked tree {top}")
        found = sorted(_match(start, _segments(pattern), top))
        if not found:
            raise InputError(f"{pattern[:80]}: matches no file")
        if len(out) + len(found) > MAX_GLOB_MATCHES:
            raise InputError(f"{pattern[:80]}: matches over {MAX_GLOB_MATCHES} files")
        out.extend(str(path.relative_to(start)) for path in found)
    return out


def _match(start: Path, segments: list[str], top: Path) -> Iterator[Path]:
    """Walk from `start` matching `segments`; symlinked directories are never entered and a
    matched symlink counts only when its target stays inside `top`."""
    visits = 0
    seen: set[Path] = set()
    stack: list[tuple[Path, int, int]] = [(start, 0, 0)]  # folder, segment index, depth
    while stack:
        folder, index, depth = stack.pop()
        if depth > MAX_GLOB_DEPTH:
            raise InputError(f"a glob goes deeper than {MAX_GLOB_DEPTH} folders")
        segment = segments[index]
        last = index == len(segments) - 1
        if segment == "**":
            if last:
                continue
            stack.append((folder, index + 1, depth))
            for entry in _entries(folder):
                visits += 1
                if visits > MAX_GLOB_VISITS:
                    raise InputError(f"a glob looks at over {MAX_GLOB_VISITS} files")
                if entry.is_dir(follow_symlinks=False) and entry.name != ".git":
                    stack.append((Path(entry.path), index, depth + 1))
            continue
        for entry in _entries(folder):
            visits += 1
            if visits > MAX_GLOB_VISITS:
                raise InputError(f"a glob looks at over {MAX_GLOB_VISITS} files")
            if entry.name == ".git" or not fnmatch.fnmatchcase(entry.name, segment):
                continue
            if not segment.startswith(".") and entry.name.startswith("."):
                continue  # like the shell and glob.glob: a wildcard does not match dot files
            path = Path(entry.path)
            if last:
                if path not in seen and _stays_inside(path, top):
                    seen.add(path)
                    yield path
            elif entry.is_dir(follow_symlinks=False):
                stack.append((path, index + 1, depth + 1))


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as listing:
            return list(listing)
    except OSError:
        return []


def _stays_inside(path: Path, top: Path) -> bool:
    """A match that is a symlink counts only when its target stays inside the tree."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return real == top or real.is_relative_to(top)
