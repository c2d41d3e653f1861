"""Parsed HCL is cached by the digest of its text: in memory for a run, on disk across runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker import text_cache as cache
from checker.errors import InputError
from checker.rules import shell
from checker.source import hcl

pytestmark = pytest.mark.fast

TEXT = 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CHECKER_CACHE_DIR", str(folder))
    monkeypatch.setattr(cache, "_memory", {})
    return folder


def _refuse(path: Path, text: str) -> dict[str, object]:
    raise AssertionError("parsed again")


def test_a_text_is_parsed_once_per_run_and_once_per_machine(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = hcl.parse_text(Path("main.tf"), TEXT)
    assert first["resource"]
    assert [p.name for p in cache_dir.iterdir()] == [f"{cache.digest(TEXT)}.json"]
    monkeypatch.setattr(hcl, "_parse", _refuse)
    assert hcl.parse_text(Path("other.tf"), TEXT) == first  # memory
    monkeypatch.setattr(cache, "_memory", {})
    assert hcl.parse_text(Path("main.tf"), TEXT) == first  # disk, a later run


@pytest.mark.parametrize("content", ["not json", "[1, 2]", ""])
def test_a_broken_entry_is_parsed_again_and_rewritten(cache_dir: Path, content: str) -> None:
    cache_dir.mkdir()
    entry = cache_dir / f"{cache.digest(TEXT)}.json"
    entry.write_text(content)
    parsed = hcl.parse_text(Path("main.tf"), TEXT)
    assert parsed["resource"]
    assert json.loads(entry.read_text()) == {"digest": cache.digest(TEXT), "parsed": parsed}


def test_the_disk_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKER_CACHE_DIR", "off")
    monkeypatch.setattr(cache, "_memory", {})
    assert cache.cache_dir() is None
    assert hcl.parse_text(Path("main.tf"), TEXT)["resource"]


def test_a_parse_error_is_never_cached(cache_dir: Path) -> None:
    for _ in range(2):
        with pytest.raises(InputError, match="does not parse"):
            hcl.parse_text(Path("bad.tf"), 'resource "x" {\n')
    assert not cache_dir.exists() or list(cache_dir.iterdir()) == []


def test_the_key_is_the_text_and_the_parser_version() -> None:
    assert cache.digest(TEXT) == cache.digest(str(TEXT))
    assert cache.digest(TEXT) != cache.digest(TEXT + " ")
    assert cache.digest(TEXT) != cache.digest(TEXT, kind="shell")


SCRIPT = "#!/bin/bash\n# aws s3 ls (a comment)\nsudo aws dynamodb put-item --table-name t\n"


def test_a_script_is_parsed_as_shell_once_per_machine(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shell._commands.cache_clear()
    first = shell.commands(SCRIPT)
    assert first == [["sudo", "aws", "dynamodb", "put-item", "--table-name", "t"]]
    assert (cache_dir / f"{cache.digest(SCRIPT, kind='shell')}.json").exists()
    shell._commands.cache_clear()
    monkeypatch.setattr(cache, "_memory", {})
    monkeypatch.setattr(shell, "_parse", lambda script: pytest.fail("parsed again"))
    assert shell.commands(SCRIPT) == first


def test_a_shell_entry_of_another_shape_is_not_trusted(cache_dir: Path) -> None:
    shell._commands.cache_clear()
    cache_dir.mkdir()
    (cache_dir / f"{cache.digest(SCRIPT, kind='shell')}.json").write_text('{"commands": [[1]]}')
    assert shell.commands(SCRIPT) == [["sudo", "aws", "dynamodb", "put-item", "--table-name", "t"]]
