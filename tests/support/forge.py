"""A stand-in for the GitHub and GitLab comment APIs: a real HTTP server on localhost.

The comment step talks HTTP to whatever `GITHUB_API_URL` / `CI_API_V4_URL`
name; this server answers the few endpoints it uses and records every request,
so tests can see one comment created, then edited in place, and no request at
all where the step must skip.

It knows who the token is, as the real APIs do. A request with an
`Authorization` header is GitHub's: by default the token is an installation
token (the Actions `GITHUB_TOKEN`), so `GET /user` answers 403 "Resource not
accessible by integration" and comments are written by the app's bot user
(`github_app`, `github-actions[bot]`); with `github_user` set the token is a
personal access token of that user, who `GET /user` returns and who writes the
comments. A request with `PRIVATE-TOKEN` is GitLab's: the token belongs to
`gitlab_user` (a project access token's bot user). Comments carry their
author as the real APIs return it: `user` on GitHub, `author` on GitLab.
`add_comment` puts a comment there by hand, written by anyone.

https://docs.github.com/en/rest/users/users#get-the-authenticated-user
https://docs.github.com/en/rest/issues/comments#list-issue-comments
https://docs.gitlab.com/ee/api/users.html#get-the-current-user
https://docs.gitlab.com/ee/api/notes.html#list-all-merge-request-notes
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

GITHUB_THREAD = re.compile(r"^/repos/[^/]+/[^/]+/issues/\d+/comments$")
GITHUB_EDIT = re.compile(r"^/repos/[^/]+/[^/]+/issues/comments/(\d+)$")
GITLAB_THREAD = re.compile(r"^/projects/[^/]+/merge_requests/\d+/notes$")
GITLAB_EDIT = re.compile(r"^(/projects/[^/]+/merge_requests/\d+/notes)/(\d+)$")

INTEGRATION_403 = {
    "message": "Resource not accessible by integration",
    "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
    "status": "403",
}


def github_account(login: str, user_id: int, kind: str = "User") -> dict[str, Any]:
    """A GitHub account as comments and `GET /user` show it (the fields the step reads)."""
    return {"login": login, "id": user_id, "type": kind}


def gitlab_account(username: str, user_id: int, bot: bool = False) -> dict[str, Any]:
    """A GitLab account as `GET /user` shows it (notes show the same fields as `author`)."""
    return {"id": user_id, "username": username, "name": username, "bot": bot}


@dataclass
class Forge:
    url: str = ""
    github_user: dict[str, Any] | None = None  # None: an installation token, as GITHUB_TOKEN
    github_app: dict[str, Any] = field(
        default_factory=lambda: github_account("github-actions[bot]", 41898282, "Bot")
    )
    gitlab_user: dict[str, Any] = field(
        default_factory=lambda: gitlab_account("project_42_bot_5e1f", 4242, bot=True)
    )
    threads: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, auth
    next_id: int = 100

    def comments(self) -> list[dict[str, Any]]:
        return [c for thread in self.threads.values() for c in thread]

    def github_writer(self) -> dict[str, Any]:
        """Who writes the comments a GitHub token creates."""
        return self.github_user if self.github_user is not None else self.github_app

    def add_comment(self, thread: str, body: str, author: dict[str, Any]) -> dict[str, Any]:
        """A comment on `thread` (a GitHub or GitLab list path) written by `author`."""
        self.next_id += 1
        key = "author" if GITLAB_THREAD.match(thread) else "user"
        comment = {"id": self.next_id, "body": body, key: dict(author)}
        self.threads.setdefault(thread, []).append(comment)
        return comment

    def edits_of(self, comment_id: int) -> list[str]:
        """The edit requests that named this comment."""
        return [
            path
            for method, path, _ in self.requests
            if method in ("PATCH", "PUT") and path.endswith(f"/{comment_id}")
        ]


def _handler(forge: Forge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            return

        def _reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            parsed = json.loads(self.rfile.read(length) or b"{}")
            return parsed if isinstance(parsed, dict) else {}

        def _record(self) -> str:
            path = urlsplit(self.path).path
            auth = self.headers.get("Authorization") or self.headers.get("PRIVATE-TOKEN") or ""
            forge.requests.append((self.command, path, auth))
            return path

        def _me(self) -> None:
            if self.headers.get("PRIVATE-TOKEN"):
                self._reply(200, forge.gitlab_user)
            elif forge.github_user is None:
                self._reply(403, INTEGRATION_403)
            else:
                self._reply(200, forge.github_user)

        def do_GET(self) -> None:
            path = self._record()
            if path == "/user":
                self._me()
                return
            page = int(parse_qs(urlsplit(self.path).query).get("page", ["1"])[0])
            thread = forge.threads.get(path, [])
            self._reply(200, thread[(page - 1) * 100 : page * 100])

        def do_POST(self) -> None:
            path = self._record()
            if GITHUB_THREAD.match(path):
                writer = forge.github_writer()
            elif GITLAB_THREAD.match(path):
                writer = forge.gitlab_user
            else:
                self._reply(404, {"message": "Not Found"})
                return
            self._reply(201, forge.add_comment(path, self._body().get("body", ""), writer))

        def _edit(self) -> None:
            path = self._record()
            found = GITHUB_EDIT.match(path) or GITLAB_EDIT.match(path)
            wanted = int(found.groups()[-1]) if found else -1
            for comment in forge.comments():
                if comment["id"] == wanted:
                    comment["body"] = self._body().get("body", "")
                    self._reply(200, comment)
                    return
            self._reply(404, {"message": "Not Found"})

        do_PATCH = _edit
        do_PUT = _edit

    return Handler


@contextmanager
def running_forge(**options: Any) -> Iterator[Forge]:
    """The stand-in, serving until the block ends; `options` are `Forge` fields."""
    forge = Forge(**options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(forge))
    forge.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield forge
    finally:
        server.shutdown()
        server.server_close()
