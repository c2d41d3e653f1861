"""Every file a source read touches, confined to one root directory.

Sources come from pull requests: `file("/proc/self/environ")`, `file("../../x")`,
a committed symlink to `/etc/passwd` or `file("/dev/zero")` must not be read,
let alone printed. A read is allowed only for a regular file whose real path
(symlinks resolved) lies inside the root, up to `MAX_FILE_BYTES`; anything else
is refused with a note, and the evaluator treats the value as unknown.

Whatever the root (a configured `source_root` included), a file on a pseudo
file system (`/proc`, `/sys`, `/dev`, whose "regular" files are generated on
read), anything inside `.git/` (actions/checkout leaves the job's token in
`.git/config`) and the credential files CI tools write into a checkout
(`checker.workspace.is_secret_path`) are never read. The bytes are read by
the one confined reader, `checker.reader.read_regular`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from checker.errors import CheckerError
from checker.reader import is_pseudo, read_regular
from checker.workspace import is_secret_path

CONFIG_SUFFIXES = (".tf", ".tf.json")


def has_tf_files(directory: Path) -> bool:
    """Does the directory hold Terraform configuration (`.tf` or `.tf.json` files)?"""
    return directory.is_dir() and any(
        p.is_file() for suffix in CONFIG_SUFFIXES for p in directory.glob(f"*{suffix}")
    )


MAX_FILE_BYTES = 4 * 1024 * 1024  # far more than a .tf file, a template or a handler needs


@dataclass
class SourceFiles:
    """Reads below `root`; what was refused is kept in `notes` (file names, never contents)."""

    root: Path
    limit: int = MAX_FILE_BYTES
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = self.root.resolve()

    def note(self, text: str) -> None:
        if text not in self.notes and len(self.notes) < 50:
            self.notes.append(text)

    def shown(self, path: Path | str) -> str:
        """A path as a note may show it: shortened, never a long value whole."""
        text = str(path)
        return text if len(text) <= 120 else text[:119] + "…"

    def _resolve(self, base: Path, name: str, strict: bool) -> Path | None:
        """The real path of `name` (relative to `base`) when inside the root, else None."""
        if not name or "\x00" in name:
            self.note("a file name that is empty or holds a NUL byte was refused")
            return None
        if Path(name).is_absolute() or name.startswith("~"):
            self.note(f"absolute path {self.shown(name)!r} refused: reads stay inside {self.root}")
            return None
        try:
            real = (base / name).resolve(strict=strict)
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(self.root):
            self.note(f"{self.shown(name)!r} leaves the source root {self.root}: not read")
            return None
        if is_pseudo(real):
            self.note(f"{self.shown(name)!r} is not a regular file: not read")
            return None
        if is_secret_path(real.relative_to(self.root)):
            self.note(f"{self.shown(name)!r} is a credential or .git file: never read")
            return None
        return real

    def confine(self, base: Path, name: str) -> Path | None:
        """The real path of an existing `name` inside the root, else None."""
        return self._resolve(base, name, strict=True)

    def is_inside(self, directory: Path) -> bool:
        try:
            return directory.resolve(strict=True).is_relative_to(self.root)
        except (OSError, RuntimeError):
            return False

    def exists(self, base: Path, name: str) -> bool | None:
        """`fileexists()`: None when the answer would look outside the root."""
        real = self._resolve(base, name, strict=False)
        if real is None:
            return None
        try:
            return stat.S_ISREG(os.stat(real).st_mode)
        except OSError:
            return False

    def read_bytes(self, base: Path, name: str) -> bytes | None:
        """The bytes of a regular file inside the root, at most `limit` of them, or None."""
        real = self.confine(base, name)
        if real is None:
            return None
        try:
            return read_regular(real, self.limit, "file")
        except CheckerError as error:
            reason = error.message.split(": file ", 1)[-1]
            ending = "" if reason.endswith("not read") else ": not read"
            self.note(f"{self.shown(name)!r} {reason}{ending}")
            return None

    def read_text(self, base: Path, name: str) -> str | None:
        data = self.read_bytes(base, name)
        if data is None:
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.note(f"{self.shown(name)!r} is not UTF-8 text: not read")
            return None


def source_files(directory: Path, source_root: Path | None) -> SourceFiles:
    """The confined reader of a stack: the configured root when it holds the stack."""
    if source_root is not None and directory.resolve().is_relative_to(source_root.resolve()):
        return SourceFiles(source_root)
    return SourceFiles(directory)
