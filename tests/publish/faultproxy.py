"""A small HTTP proxy in front of moto that fails or stalls chosen requests.

S3 failing in the middle of a publish cannot be arranged on moto itself, so the S3 client
under test talks to this proxy, which forwards every request to moto unchanged except the
ones a rule picks: those get S3's own 500 `InternalError` answer (or wait first), as a
real outage would look to the client.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "expect"}
_ERROR = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
    b"<Message>We encountered an internal error. Please try again.</Message></Error>"
)


@dataclass
class Rule:
    """Fail (or stall) requests of `method` whose key matches `pattern`, from the n-th on."""

    method: str
    pattern: re.Pattern[str]
    nth: int = 1  # the first matching request that is hit; later ones are hit too
    stall: float = 0.0  # seconds to hold the request before answering
    forward: bool = False  # after stalling, forward it instead of failing it
    landed: bool = False  # forward it, then answer 500 all the same (the answer is lost)
    times: int | None = None  # how many requests to hit (None: all from the n-th on)
    seen: int = 0


class FaultProxy:
    """Forward to `upstream`; requests matching a rule fail with 500 (or are held)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.rules: list[Rule] = []
        self.hits: list[str] = []  # "METHOD key" of every request a rule failed
        self._mutex = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def _handle(self) -> None:
                proxy.handle(self)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FaultProxy:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def fail(self, method: str, pattern: str, *, nth: int = 1, stall: float = 0.0) -> None:
        """From the n-th request of `method` on a key matching `pattern`, answer 500."""
        with self._mutex:
            self.rules.append(Rule(method, re.compile(pattern), nth, stall))

    def lose_answer(self, method: str, pattern: str, *, times: int = 1) -> None:
        """Let matching requests reach moto but answer 500: done, yet reported failed."""
        with self._mutex:
            self.rules.append(Rule(method, re.compile(pattern), landed=True, times=times))

    def hold(self, method: str, pattern: str, *, seconds: float) -> None:
        """Hold matching requests for `seconds`, then forward them."""
        with self._mutex:
            self.rules.append(Rule(method, re.compile(pattern), 1, seconds, forward=True))

    def heal(self) -> None:
        """Forget every rule: S3 is healthy again."""
        with self._mutex:
            self.rules.clear()

    def _match(self, method: str, key: str) -> Rule | None:
        with self._mutex:
            for rule in self.rules:
                if rule.method == method and rule.pattern.search(key):
                    rule.seen += 1
                    over = rule.times is not None and rule.seen >= rule.nth + rule.times
                    if rule.seen >= rule.nth and not over:
                        return rule
        return None

    def handle(self, req: BaseHTTPRequestHandler) -> None:
        """Forward one request, or fail it when a rule says so."""
        length = int(req.headers.get("Content-Length") or 0)
        body = req.rfile.read(length) if length else b""
        path = urlsplit(req.path).path
        key = unquote(path.split("/", 2)[2]) if path.count("/") >= 2 else ""
        rule = self._match(req.command, key)
        if rule is not None and rule.stall:
            time.sleep(rule.stall)
        if rule is not None and not rule.forward:
            if rule.landed:
                self._forward(req, body)
            self.hits.append(f"{req.command} {key}")
            self._answer(req, 500, [("Content-Type", "application/xml")], _ERROR)
            return
        status, headers, data = self._forward(req, body)
        self._answer(req, status, headers, data, head=req.command == "HEAD")

    def _forward(
        self, req: BaseHTTPRequestHandler, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(self.upstream.netloc, timeout=30)
        try:
            headers = {k: v for k, v in req.headers.items() if k.lower() not in _HOP_BY_HOP}
            conn.request(req.command, req.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            kept = [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP_BY_HOP]
            return resp.status, kept, data
        finally:
            conn.close()

    def _answer(
        self,
        req: BaseHTTPRequestHandler,
        status: int,
        headers: list[tuple[str, str]],
        data: bytes,
        *,
        head: bool = False,
    ) -> None:
        req.send_response_only(status)
        for name, value in headers:
            if name.lower() != "content-length":
                req.send_header(name, value)
        if not head:
            req.send_header("Content-Length", str(len(data)))
        else:
            length = dict((k.lower(), v) for k, v in headers).get("content-length", "0")
            req.send_header("Content-Length", length)
        req.end_headers()
        if not head:
            req.wfile.write(data)
