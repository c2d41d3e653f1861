"""The archive stand-in writes what it says: a deterministic zip whose digests are right."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path

from tests.terraform.archive_provider import ArchiveFile, archive_entries, digests, zip_bytes


def test_zip_holds_every_source_sorted_and_is_deterministic(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "b.py").write_text("b = 2\n")
    (tmp_path / "dir" / "a.py").write_text("a = 1\n")
    (tmp_path / "dir" / "skip.txt").write_text("no\n")
    config = {
        "source_dir": str(tmp_path / "dir"),
        "excludes": ["skip.txt"],
        "source": [{"filename": "index.py", "content": "print('hi')\n"}],
    }
    entries = archive_entries(config)
    first, second = zip_bytes(entries, None), zip_bytes(entries, None)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == ["a.py", "b.py", "index.py"]
        assert archive.read("index.py") == b"print('hi')\n"
        assert {i.date_time for i in archive.infolist()} == {(2049, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 & 0o777 for i in archive.infolist()} == {0o644}


def test_digests_match_hashlib() -> None:
    data = zip_bytes([("index.py", b"x = 1\n")], "0755")
    found = digests(data)
    assert found["output_size"] == len(data)
    assert found["output_sha"] == found["id"] == hashlib.sha1(data).hexdigest()
    assert found["output_sha256"] == hashlib.sha256(data).hexdigest()
    assert found["output_base64sha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert found["output_sha512"] == hashlib.sha512(data).hexdigest()
    assert found["output_base64sha512"] == base64.b64encode(hashlib.sha512(data).digest()).decode()
    assert found["output_md5"] == hashlib.md5(data).hexdigest()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.infolist()[0].external_attr >> 16 & 0o777 == 0o755


def test_read_writes_the_zip_and_returns_every_attribute(tmp_path: Path) -> None:
    output = tmp_path / "build" / "out.zip"
    config = {"type": "zip", "source_content": "hi", "source_content_filename": "a.txt"}
    state = ArchiveFile().read(_Context(), {**config, "output_path": str(output)})
    assert state is not None
    assert (
        output.read_bytes() and state["output_md5"] == hashlib.md5(output.read_bytes()).hexdigest()
    )


class _Context:
    """The part of the framework's read context the data source touches."""

    class diagnostics:
        @staticmethod
        def add_error(message: str) -> None:
            raise AssertionError(message)
