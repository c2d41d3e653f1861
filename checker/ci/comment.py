"""`checker ci comment`: one pull-request (merge-request) comment, kept up to date.

The comment carries a hidden marker; each push edits the comment holding it
instead of adding another. Where the job cannot write (a pull request from a
fork gets a read-only token; GitLab gives fork pipelines no secrets), the step
says so and succeeds: the gate's verdict, not the comment, decides the job.
An API error is a warning for the same reason. GitHub is read from the
Actions environment (`GITHUB_*`, the event file), GitLab from its predefined
variables (`CI_*`) and a token in `TAP_CHECKER_GITLAB_TOKEN` or `GITLAB_TOKEN`.
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


def _upsert(
    api: Api, listing: str, create: str, edit: Callable[[Any], str], method: str, body: str
) -> Outcome:
    marker = body.splitlines()[0]
    for comment in _pages(api, listing):
        if marker in str(comment.get("body", "")):
            api.call(method, edit(comment["id"]), {"body": body})
            return Outcome("updated", f"comment {comment['id']}")
    made = api.call("POST", create, {"body": body})
    return Outcome("created", f"comment {made.get('id') if isinstance(made, dict) else '?'}")


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
    issue = f"/repos/{repository}/issues/{number}/comments"
    return _upsert(
        api, issue, issue, lambda i: f"/repos/{repository}/issues/comments/{int(i)}", "PATCH", body
    )


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
    return _upsert(api, notes, notes, lambda i: f"{notes}/{int(i)}", "PUT", body)


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
