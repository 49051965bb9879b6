"""`quire api --workers N`: N server processes, each with a listening socket of its own.

With one socket shared by several processes (`uvicorn --workers`), whichever process is
awake accepts the next connection, and keep-alive connections piled onto one of them:
14 of 16 in `bench/api.py`, so that worker ran out of CPU while the other idled, and the
slowest requests were three times slower than they needed to be. Here each worker binds
its own socket with SO_REUSEPORT and the kernel spreads new connections over the sockets
by a hash of the addresses. A worker that dies is started again; SIGTERM or SIGINT stops
every worker gracefully (requests in flight are answered) and the command exits with 0.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any

from interactions_api.config import Settings
from interactions_api.shutdown import REQUEST_GRACE

log = logging.getLogger("quire.serve")

CHECK_EVERY_S = 0.5  # how often the supervisor looks for dead workers
STOP_WAIT_S = REQUEST_GRACE + 5  # a worker still alive this long after SIGTERM is killed


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port` that other processes may bind as well (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(False)
    return sock


def uvicorn_options() -> dict[str, Any]:
    """What every `quire api` server runs with."""
    # proxy_headers off: the client address comes from our own trusted-proxy rule only.
    return {"proxy_headers": False, "timeout_graceful_shutdown": REQUEST_GRACE}


def run_worker(settings: Settings, host: str, port: int) -> None:
    """One worker process: its own socket, its own app, until SIGTERM or SIGINT."""
    import uvicorn

    from interactions_api.main import create_app

    sock = listening_socket(host, port)
    config = uvicorn.Config(create_app(settings), log_level="warning", **uvicorn_options())
    uvicorn.Server(config).run(sockets=[sock])


def supervise(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Run `workers` worker processes until a stop signal; start again any that dies."""
    context = multiprocessing.get_context("spawn")  # no state forked from this process

    def start() -> BaseProcess:
        process = context.Process(target=run_worker, args=(settings, host, port), daemon=False)
        process.start()
        return process

    refuse_if_taken(host, port)
    stopping: list[int] = []
    previous = _on_stop_signals(lambda signum: stopping.append(signum))
    running = [start() for _ in range(workers)]
    try:
        while not stopping:
            time.sleep(CHECK_EVERY_S)
            for i, process in enumerate(running):
                if not process.is_alive() and not stopping:
                    log.warning("API worker %s exited (%s); starting another", process.pid,
                                process.exitcode)  # fmt: skip
                    running[i] = start()
    finally:
        _stop_all(running)
        _on_stop_signals(previous)


def refuse_if_taken(host: str, port: int) -> None:
    """Fail once, here, when the port is in use: by a server without SO_REUSEPORT (the
    bind fails) or by another `quire api --workers` (which would silently share it)."""
    listening_socket(host, port).close()
    probe = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    try:
        socket.create_connection((probe, port), timeout=1).close()
    except OSError:
        return
    raise OSError(f"port {port} on {host} is already served by another process")


def _on_stop_signals(handler: Any) -> Any:
    """Install `handler` (a callable of the signal number, or what a previous call
    returned) for SIGTERM and SIGINT; return what was installed before."""
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    for signum in before:
        wanted = handler[signum] if isinstance(handler, dict) else _adapt(handler)
        signal.signal(signum, wanted)
    return before


def _adapt(handler: Callable[[int], object]) -> Callable[[int, object], None]:
    def on_signal(signum: int, _frame: object) -> None:
        handler(signum)

    return on_signal


def _stop_all(running: list[BaseProcess]) -> None:
    """SIGTERM every worker (graceful: requests in flight are answered), then wait."""
    for process in running:
        if process.is_alive() and process.pid is not None:
            process.terminate()
    deadline = time.monotonic() + STOP_WAIT_S
    for process in running:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(5)
