"""`checker ci comment`: one pull-request (merge-request) comment, kept up to date.

The comment carries a hidden marker; each push edits the comment holding it
instead of adding another. Where the job cannot write (a pull request from a
fork gets a read-only token; GitLab gives fork pipelines no secrets), the step
says so and succeeds: the gate's verdict, not the comment, decides the job.
An API error is a warning for the same reason. GitHub is read from the
Actions environment (`GITHUB_*`, the event file), GitLab from its predefined
variables (`CI_*`) and a token in `TAP_CHECKER_GITLAB_TOKEN` or `GITLAB_TOKEN`.

Only a comment the token's own user wrote is edited. Anyone can type the
marker into a comment of their own (the pull request's author first), so a
marked comment by another account is left alone and, with no comment of our
own, a new one is created. Who the token is:

- GitLab: `GET /user` answers for personal, project and group access tokens
  (the last two are bot users); a note is ours when its `author.id` is that
  user's `id` (https://docs.gitlab.com/ee/api/users.html#get-the-current-user,
  https://docs.gitlab.com/ee/api/notes.html#list-all-merge-request-notes).
- GitHub: `GET /user` answers for a personal access token, and a comment is
  ours when its `user.id` is that user's `id`. An installation token (the
  Actions `GITHUB_TOKEN`, a GitHub App's token) gets 403 "Resource not
  accessible by integration" there
  (https://docs.github.com/en/rest/users/users#get-the-authenticated-user);
  its comments are written by the app's bot account, `github-actions[bot]`
  for `GITHUB_TOKEN`, or the login named in `TAP_CHECKER_COMMENT_AUTHOR`
  (`my-app[bot]`) for another app. A comment is then ours when its
  `user.login` is that login and its `user.type` is "Bot"
  (https://docs.github.com/en/rest/issues/comments#list-issue-comments): a
  person's account can neither take a `[bot]` login nor be of type "Bot", so
  even a login set wrongly in `TAP_CHECKER_COMMENT_AUTHOR` never lets the
  step edit a person's comment. A login that is not the token's own only
  costs a new comment on each push.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

MARKER = "<!-- tap-checker:{key} -->"
MAX_PAGES = 50  # comments scanned for the marker: 5,000 at 100 a page
TIMEOUT = 30
GITHUB_ACTIONS_BOT = "github-actions[bot]"  # who writes what GITHUB_TOKEN posts


@dataclass(frozen=True)
class Outcome:
    action: str  # created, updated, skipped, failed
    detail: str


@dataclass(frozen=True)
class Api:
    base: str
    headers: Mapping[str, str]

    def call(self, method: str, path: str, body: dict[str, str] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base.rstrip("/") + path,
            data=data,
            method=method,
            headers={**self.headers, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            text = response.read().decode("utf-8")
        return json.loads(text) if text else None


def _pages(api: Api, path: str) -> Iterator[dict[str, Any]]:
    for page in range(1, MAX_PAGES + 1):
        batch = api.call("GET", f"{path}{'&' if '?' in path else '?'}per_page=100&page={page}")
        if not isinstance(batch, list) or not batch:
            return
        yield from (item for item in batch if isinstance(item, dict))
        if len(batch) < 100:
            return


@dataclass(frozen=True)
class Author:
    """The account whose comments the step may edit: the token's own user.

    With `user_id` (the forge said who the token is) the id decides; without
    it (a GitHub installation token cannot ask) the login decides, and only
    for a bot account."""

    user_id: int | None = None
    login: str = ""

    def wrote(self, user: object) -> bool:
        """Whether `user` (a comment's `user` or `author` object) is this account."""
        if not isinstance(user, dict):
            return False
        if self.user_id is not None:
            return _as_id(user.get("id")) == self.user_id
        login = user.get("login")
        if not isinstance(login, str) or login.casefold() != self.login.casefold():
            return False
        kind = user.get("type")
        return kind == "Bot" if kind is not None else login.endswith("[bot]")


def _as_id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _me(api: Api) -> Author:
    """The token's user from `GET /user` (GitHub and GitLab answer alike: `id`)."""
    me = api.call("GET", "/user")
    user_id = _as_id(me.get("id")) if isinstance(me, dict) else None
    if user_id is None:
        raise ValueError("GET /user answered without a user id")
    return Author(user_id=user_id)


def _github_author(api: Api, env: Mapping[str, str]) -> Author:
    """A personal access token's user, else the bot an installation token writes as."""
    try:
        return _me(api)
    except urllib.error.HTTPError as error:
        if error.code != 403:  # 403 "Resource not accessible by integration": see above
            raise
        error.close()
    login = env.get("TAP_CHECKER_COMMENT_AUTHOR", "").strip()
    return Author(login=login or GITHUB_ACTIONS_BOT)


@dataclass(frozen=True)
class Thread:
    """One pull (merge) request's comments on one forge, and how one is edited."""

    path: str  # listed with GET, created with POST
    edit: Callable[[int], str]  # the path of one comment
    edit_method: str  # PATCH on GitHub, PUT on GitLab
    author_field: str  # "user" on GitHub, "author" on GitLab


def _upsert(api: Api, thread: Thread, author: Author, body: str) -> Outcome:
    marker = body.splitlines()[0]
    others = 0
    for comment in _pages(api, thread.path):
        if marker not in str(comment.get("body", "")):
            continue
        if not author.wrote(comment.get(thread.author_field)):
            others += 1  # someone typed our marker: never theirs to be edited by the gate
            continue
        api.call(thread.edit_method, thread.edit(int(comment["id"])), {"body": body})
        return Outcome("updated", f"comment {comment['id']}{_left_alone(others)}")
    made = api.call("POST", thread.path, {"body": body})
    made_id = made.get("id") if isinstance(made, dict) else "?"
    return Outcome("created", f"comment {made_id}{_left_alone(others)}")


def _left_alone(others: int) -> str:
    if not others:
        return ""
    return (
        f" ({others} comment{'s' if others > 1 else ''} with the marker by another user left alone)"
    )


def _github(env: Mapping[str, str], body: str) -> Outcome:
    event_name = env.get("GITHUB_EVENT_NAME", "")
    if event_name not in ("pull_request", "pull_request_target"):
        return Outcome("skipped", f"not a pull request ({event_name or 'no event'})")
    try:
        with open(env["GITHUB_EVENT_PATH"], encoding="utf-8") as handle:
            event = json.load(handle)
        pull = event["pull_request"]
        number = int(pull["number"])
        head = str(pull["head"]["repo"]["full_name"])
    except (KeyError, OSError, TypeError, ValueError):
        return Outcome("skipped", "the pull request is not in the event file")
    repository = env.get("GITHUB_REPOSITORY", "")
    if event_name == "pull_request" and head != repository:
        return Outcome("skipped", "a pull request from a fork gets a read-only token")
    token = env.get("GITHUB_TOKEN", "")
    if not token:
        return Outcome("skipped", "no GITHUB_TOKEN")
    api = Api(
        env.get("GITHUB_API_URL", "https://api.github.com"),
        {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"},
    )
    thread = Thread(
        f"/repos/{repository}/issues/{number}/comments",
        lambda i: f"/repos/{repository}/issues/comments/{i}",
        "PATCH",
        "user",
    )
    return _upsert(api, thread, _github_author(api, env), body)


def _gitlab(env: Mapping[str, str], body: str) -> Outcome:
    iid = env.get("CI_MERGE_REQUEST_IID", "")
    if not iid:
        return Outcome("skipped", "not a merge-request pipeline")
    project = env.get("CI_PROJECT_ID", "")
    source = env.get("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", project)
    if source != project:
        return Outcome("skipped", "a merge request from a fork gets no token")
    token = env.get("TAP_CHECKER_GITLAB_TOKEN") or env.get("GITLAB_TOKEN", "")
    if not token:
        return Outcome("skipped", "no TAP_CHECKER_GITLAB_TOKEN (a token with the api scope)")
    api = Api(env.get("CI_API_V4_URL", "https://gitlab.com/api/v4"), {"PRIVATE-TOKEN": token})
    notes = f"/projects/{urllib.parse.quote(project, safe='')}/merge_requests/{int(iid)}/notes"
    thread = Thread(notes, lambda i: f"{notes}/{i}", "PUT", "author")
    return _upsert(api, thread, _me(api), body)


def post_comment(text: str, key: str = "gate", env: Mapping[str, str] | None = None) -> Outcome:
    """Create or update the marked comment on the current pull or merge request."""
    env = os.environ if env is None else env
    body = MARKER.format(key=key) + "\n" + text
    try:
        if env.get("GITHUB_ACTIONS") == "true":
            return _github(env, body)
        if env.get("GITLAB_CI") == "true":
            return _gitlab(env, body)
    except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
        reason = getattr(error, "code", None) or type(error).__name__
        return Outcome("failed", f"the comment could not be written ({reason})")
    return Outcome("skipped", "neither GitHub Actions nor GitLab CI")
