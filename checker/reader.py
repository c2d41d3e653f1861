"""The one confined reader: every file the checker reads goes through `read_regular`.

What a pull request controls includes the file *system objects* it commits:
a plan, waiver, baseline, config or cache file may be a symlink to
`/dev/zero` (never ends), a FIFO (blocks forever), or `/proc/self/environ`
(whose `st_size` is 0 but which prints every secret of the job). So a read

- opens without blocking (`O_NONBLOCK`: a FIFO does not hang the open) and
  without becoming the controlling terminal;
- refuses anything `fstat` does not call a regular file, before reading;
- refuses files whose real path is on a pseudo file system (`/proc`, `/sys`,
  `/dev`): the kernel reports them as regular files of size 0 or 4096 and
  generates their content on read;
- enforces the size cap by reading at most `limit + 1` bytes, never by
  trusting `st_size`;
- when `inside` is given (a file the checker found in the checked tree rather
  than one the command line named), refuses a real path outside that tree,
  inside `.git/`, or one of the credential files CI tools write into a
  checkout (see `checker.workspace.is_secret_path`).

Every refusal is an `InputError` naming the file, never its content.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from checker.errors import InputError

PSEUDO_FILESYSTEMS = (Path("/proc"), Path("/sys"), Path("/dev"))
CHUNK = 1 << 20


class Refused(InputError):
    """A read refused before any byte of the file was read."""


def is_pseudo(real: Path) -> bool:
    """Is `real` (a resolved path) on a file system whose files are generated on read?"""
    return any(real == top or real.is_relative_to(top) for top in PSEUDO_FILESYSTEMS)


def _shown(path: Path | str) -> str:
    text = str(path)
    return text if len(text) <= 160 else text[:159] + "…"


def real_path(path: Path, what: str, inside: Path | None = None) -> Path:
    """The resolved path of an existing file that may be read, else `Refused`."""
    from checker.workspace import is_secret_path

    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise Refused(f"{_shown(path)}: {what} not found") from None
    except (OSError, RuntimeError) as error:
        reason = getattr(error, "strerror", None) or "a symlink loop"
        raise Refused(f"{_shown(path)}: {what} cannot be read ({reason})") from None
    if is_pseudo(real):
        raise Refused(f"{_shown(path)}: {what} is not a regular file (it is under {real.parts[1]})")
    if inside is not None:
        top = inside.resolve()
        if not real.is_relative_to(top):
            raise Refused(f"{_shown(path)}: {what} leaves the checked tree {_shown(top)}: not read")
        if is_secret_path(real.relative_to(top)):
            raise Refused(f"{_shown(path)}: {what} is a credential or .git file: never read")
    return real


def read_regular(path: Path, limit: int, what: str, inside: Path | None = None) -> bytes:
    """At most `limit` bytes of a regular file (see the module docstring), else `InputError`."""
    real = real_path(path, what, inside)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except IsADirectoryError:
        raise Refused(f"{_shown(path)}: {what} is a directory") from None
    except OSError as error:
        raise Refused(f"{_shown(path)}: {what} cannot be read ({error.strerror})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise Refused(f"{_shown(path)}: {what} is a directory")
        if not stat.S_ISREG(mode):
            raise Refused(
                f"{_shown(path)}: {what} is not a regular file (a device, FIFO or socket)"
            )
        return _read_capped(fd, limit, path, what)
    finally:
        os.close(fd)


def _read_capped(fd: int, limit: int, path: Path, what: str) -> bytes:
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        try:
            chunk = os.read(fd, min(CHUNK, limit + 1 - size))
        except OSError as error:
            raise InputError(f"{_shown(path)}: {what} cannot be read ({error.strerror})") from None
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        raise InputError(f"{_shown(path)}: {what} is over {limit} bytes: not read")
    return b"".join(parts)


def read_text(path: Path, limit: int, what: str, inside: Path | None = None) -> str:
    """`read_regular` decoded as UTF-8 (a BOM is dropped), else `InputError`."""
    data = read_regular(path, limit, what, inside)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{_shown(path)}: {what} is not UTF-8 text") from None


def read_stream(stream: object, limit: int, what: str) -> bytes:
    """At most `limit` bytes of an open binary stream (stdin), else `InputError`."""
    reader = getattr(stream, "read", None)
    if reader is None:
        raise InputError(f"{what} cannot be read")
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = reader(min(CHUNK, limit + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        raise InputError(f"{what} is over {limit} bytes: not read")
    return b"".join(parts)
