"""The confined reader every source read goes through (`checker/source/files.py`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker.source.files import SourceFiles

pytestmark = pytest.mark.fast


def test_reads_stay_inside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "a.txt").write_text("inside")
    (tmp_path / "out.txt").write_text("outside")
    os.symlink(tmp_path / "out.txt", root / "link")
    os.symlink("/dev/zero", root / "zero")
    os.mkfifo(root / "fifo")  # inside the root, but not a regular file: never read (no hang)
    files = SourceFiles(root)
    assert files.read_text(root, "a.txt") == "inside"
    for name in ("link", "../out.txt", "/etc/passwd", "~/x", "zero", "fifo", "missing", "a\x00b"):
        assert files.read_text(root, name) is None, name
    assert [files.exists(root, n) for n in ("a.txt", "missing", "../out.txt", "/etc", "link")] == [
        True,
        False,
        None,
        None,
        None,
    ]
    assert all("outside" not in note for note in files.notes)
    assert any("leaves the source root" in note for note in files.notes)
    assert any("'fifo' is not a regular file" in note for note in files.notes)


def test_files_over_the_limit_are_refused(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x" * 2000)
    files = SourceFiles(tmp_path, limit=1000)
    assert files.read_text(tmp_path, "big.txt") is None
    assert any("over 1000 bytes" in note for note in files.notes)
