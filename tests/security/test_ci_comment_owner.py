"""`ci comment` edits only a comment written by the token's own user (issue 24, class 6).

The comment is found by a hidden marker, and anyone can type that marker into a
comment of their own: the pull request's author first. A marked comment by
another account must be left alone (a new comment is created instead), and the
gate's own earlier comment is still edited in place. Run against the API
stand-in (`tests/support/forge.py`), which knows who a token is as GitHub and
GitLab do: `GET /user` answers 403 to an installation token (`GITHUB_TOKEN`),
the user to a personal access token, the bot user to a GitLab project token.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checker.ci.comment import MARKER, post_comment
from tests.support.canonical_stack import ROOT
from tests.support.forge import Forge, github_account, gitlab_account, running_forge

REPOSITORY = "acme/infra"
PULL = 7
GITHUB_THREAD = f"/repos/{REPOSITORY}/issues/{PULL}/comments"
GITLAB_THREAD = f"/projects/42/merge_requests/{PULL}/notes"
PLANTED = MARKER.format(key="gate") + "\nchecker: gate PASSED (trust me)"
PAT_USER = github_account("platform-ci", 1234)  # the person a personal access token belongs to


@dataclass(frozen=True)
class Flavour:
    """One kind of token on one forge, and the account that is not the token's."""

    name: str
    thread: str
    options: dict[str, Any]  # Forge fields
    intruder: dict[str, Any]


FLAVOURS = (
    Flavour("github-installation-token", GITHUB_THREAD, {}, github_account("mallory", 666)),
    Flavour("github-personal-token", GITHUB_THREAD, {"github_user": PAT_USER},
            github_account("mallory", 666)),
    Flavour("gitlab-project-token", GITLAB_THREAD, {}, gitlab_account("mallory", 666)),
)  # fmt: skip


def _env(forge: Forge, thread: str, folder: Path, **extra: str) -> dict[str, str]:
    if thread == GITLAB_THREAD:
        return {
            "GITLAB_CI": "true",
            "CI_PROJECT_ID": "42",
            "CI_MERGE_REQUEST_IID": str(PULL),
            "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "42",
            "CI_API_V4_URL": forge.url,
            "TAP_CHECKER_GITLAB_TOKEN": "glpat-test",
            **extra,
        }
    event = folder / "event.json"
    pull = {"number": PULL, "head": {"repo": {"full_name": REPOSITORY}}}
    event.write_text(json.dumps({"pull_request": pull}))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": "ghs-test-token",
        **extra,
    }


def _token_user(forge: Forge, thread: str) -> dict[str, Any]:
    return forge.gitlab_user if thread == GITLAB_THREAD else forge.github_writer()


def _author(comment: dict[str, Any]) -> dict[str, Any]:
    author = comment.get("user") or comment.get("author")
    assert isinstance(author, dict)
    return author


@pytest.fixture(params=FLAVOURS, ids=[f.name for f in FLAVOURS])
def flavour(request: pytest.FixtureRequest) -> Flavour:
    chosen = request.param
    assert isinstance(chosen, Flavour)
    return chosen


@pytest.fixture()
def forge(flavour: Flavour) -> Iterator[Forge]:
    with running_forge(**flavour.options) as running:
        yield running


def test_a_planted_marker_is_never_edited_and_the_gate_keeps_its_own_comment(
    flavour: Flavour, forge: Forge, tmp_path: Path
) -> None:
    planted = forge.add_comment(flavour.thread, PLANTED, flavour.intruder)
    env = _env(forge, flavour.thread, tmp_path)

    first = post_comment("checker: gate FAILED", env=env)
    assert first.action == "created", first
    assert "1 comment with the marker by another user left alone" in first.detail
    planted_now, ours = forge.threads[flavour.thread]
    assert planted_now == planted and planted_now["body"] == PLANTED
    assert _author(ours) == _token_user(forge, flavour.thread)
    assert "gate FAILED" in ours["body"]

    second = post_comment("checker: gate PASSED", env=env)
    assert second.action == "updated", second
    assert [c["id"] for c in forge.comments()] == [planted["id"], ours["id"]]
    assert forge.comments()[1]["body"].endswith("checker: gate PASSED")
    assert forge.comments()[0]["body"] == PLANTED
    assert forge.edits_of(planted["id"]) == []
    assert len(forge.edits_of(ours["id"])) == 1


def test_the_gate_s_earlier_comment_is_edited_past_a_planted_one(
    flavour: Flavour, forge: Forge, tmp_path: Path
) -> None:
    planted = forge.add_comment(flavour.thread, PLANTED, flavour.intruder)
    own = forge.add_comment(
        flavour.thread, MARKER.format(key="gate") + "\nold", _token_user(forge, flavour.thread)
    )
    outcome = post_comment("checker: gate FAILED", env=_env(forge, flavour.thread, tmp_path))
    assert outcome.action == "updated" and outcome.detail.startswith(f"comment {own['id']} ")
    assert forge.edits_of(planted["id"]) == [] and planted["body"] == PLANTED
    assert own["body"].endswith("checker: gate FAILED")
    assert len(forge.comments()) == 2  # nothing new: our own comment was there


def test_an_app_token_edits_the_comments_of_the_login_it_is_told(tmp_path: Path) -> None:
    app = github_account("tap-gate[bot]", 777, "Bot")
    with running_forge(github_app=app) as forge:
        actions_bot = github_account("github-actions[bot]", 41898282, "Bot")
        other_workflow = forge.add_comment(GITHUB_THREAD, PLANTED, actions_bot)
        own = forge.add_comment(GITHUB_THREAD, MARKER.format(key="gate") + "\nold", app)
        env = _env(forge, GITHUB_THREAD, tmp_path, TAP_CHECKER_COMMENT_AUTHOR="tap-gate[bot]")
        outcome = post_comment("checker: gate FAILED", env=env)
    assert outcome.action == "updated"
    assert forge.edits_of(other_workflow["id"]) == []
    assert own["body"].endswith("checker: gate FAILED")


def test_a_person_named_as_the_comment_author_is_still_never_edited(tmp_path: Path) -> None:
    """An installation token cannot write as a person: a `User` account is never ours."""
    with running_forge() as forge:
        planted = forge.add_comment(GITHUB_THREAD, PLANTED, github_account("mallory", 666))
        env = _env(forge, GITHUB_THREAD, tmp_path, TAP_CHECKER_COMMENT_AUTHOR="mallory")
        outcome = post_comment("checker: gate FAILED", env=env)
    assert outcome.action == "created"
    assert forge.edits_of(planted["id"]) == [] and planted["body"] == PLANTED


def test_the_command_leaves_a_planted_marker_alone(tmp_path: Path) -> None:
    """`checker ci comment`, as the Action's step runs it, in a child process."""
    report = tmp_path / "report.md"
    report.write_text("checker: gate FAILED\n")
    with running_forge() as forge:
        planted = forge.add_comment(GITHUB_THREAD, PLANTED, github_account("mallory", 666))
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_"))},
            **_env(forge, GITHUB_THREAD, tmp_path),
            "PYTHONPATH": str(ROOT),
        }
        env.pop("GITLAB_CI", None)
        done = subprocess.run(
            [sys.executable, "-m", "checker", "ci", "comment", "--", str(report)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert "checker: comment created:" in done.stderr
    assert "by another user left alone" in done.stderr
    assert forge.edits_of(planted["id"]) == [] and planted["body"] == PLANTED
    (ours,) = [c for c in forge.comments() if c["id"] != planted["id"]]
    assert ours["user"]["login"] == "github-actions[bot]" and "gate FAILED" in ours["body"]
