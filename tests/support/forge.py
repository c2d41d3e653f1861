"""A stand-in for the GitHub and GitLab comment APIs: a real HTTP server on localhost.

The comment step talks HTTP to whatever `GITHUB_API_URL` / `CI_API_V4_URL`
name; this server answers the few endpoints it uses and records every request,
so tests can see one comment created, then edited in place, and no request at
all where the step must skip.
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


@dataclass
class Forge:
    url: str = ""
    threads: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, auth
    next_id: int = 100

    def comments(self) -> list[dict[str, Any]]:
        return [c for thread in self.threads.values() for c in thread]


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

        def do_GET(self) -> None:
            path = self._record()
            page = int(parse_qs(urlsplit(self.path).query).get("page", ["1"])[0])
            thread = forge.threads.get(path, [])
            self._reply(200, thread[(page - 1) * 100 : page * 100])

        def do_POST(self) -> None:
            path = self._record()
            if not (GITHUB_THREAD.match(path) or GITLAB_THREAD.match(path)):
                self._reply(404, {"message": "Not Found"})
                return
            forge.next_id += 1
            comment = {"id": forge.next_id, "body": self._body().get("body", "")}
            forge.threads.setdefault(path, []).append(comment)
            self._reply(201, comment)

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
def running_forge() -> Iterator[Forge]:
    forge = Forge()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(forge))
    forge.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield forge
    finally:
        server.shutdown()
        server.server_close()
