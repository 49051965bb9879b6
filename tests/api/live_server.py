"""A real uvicorn server on loopback for tests that need real HTTP timing and concurrency.

TestClient runs the whole ASGI call (dependency exits included) before handing back the
response, so it can never show work that runs after the response is sent. These tests
also load the server with many concurrent connections, as browsers do.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from api_client import ORIGIN
from fastapi import FastAPI
from sqlmodel import Session

from interactions_api.deps import session_cookie_name
from interactions_api.models.user import Role, User
from interactions_api.services import sessions


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run `app` under uvicorn in a thread; yield its base URL; stop it afterwards."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=_free_port(),
        log_level="warning",
        timeout_graceful_shutdown=2,
        limit_concurrency=1000,
        backlog=1024,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def cookie_headers(app: FastAPI, session_token: str) -> dict[str, str]:
    """Headers of a widget request signed in with a session cookie.

    The test settings mark the cookie Secure (a `__Host-` name), which a client on plain
    http would not send back, so it is passed by hand.
    """
    name = session_cookie_name(app.state.settings)
    return {"Origin": ORIGIN, "Cookie": f"{name}={session_token}"}


def signed_in(app: FastAPI, make_user: Any, count: int, role: Role = Role.reader) -> list[Any]:
    """`count` new accounts, each with a session cookie made through the service."""
    made = []
    for _ in range(count):
        user: User = make_user(role)
        with Session(app.state.engine, expire_on_commit=False) as db:
            token = sessions.start_session(db, user)
            db.commit()
        made.append((user, cookie_headers(app, token)))
    return made


@dataclass
class Outcome:
    """One request's status, headers and time taken."""

    status: int
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


def burst(base_url: str, count: int, send: Send, *, timeout: float = 20.0) -> list[Outcome]:
    """Run `send(client, i)` for i in range(count), all at once, each on its own connection."""

    async def one(client: httpx.AsyncClient, i: int) -> Outcome:
        start = time.perf_counter()
        try:
            response = await send(client, i)
        except httpx.TimeoutException:
            return Outcome(status=0, seconds=time.perf_counter() - start)
        seconds = time.perf_counter() - start
        body = response.json() if response.content else None
        return Outcome(response.status_code, seconds, dict(response.headers), body)

    async def run() -> list[Outcome]:
        # One client (making one costs milliseconds of CPU) with a connection per request.
        limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as client:
            return list(await asyncio.gather(*(one(client, i) for i in range(count))))

    return asyncio.run(run())
