"""The builder's renderer on untrusted inbox bodies: in child processes, on a CPU budget.

A 200 KB body can make third-party Markdown code (markdown-it plugins, Pygments) run for
seconds, or raise. So inbox previews and checks run in a few long-lived child processes
(`python -m` this module: a fresh interpreter inherits no lock of this threaded process
and never re-runs its main script), one job at a time each:
- a job gets `BUDGET_S` of CPU time (`ITIMER_PROF` in the child, so a busy machine does
  not refuse ordinary posts); past it the job stops with 422 `markdown_too_complex`;
- an exception from the renderer is 422 `markdown_error`, never a 500;
- a child that ignores its timer (stuck in C code) is killed once it has used
  `HARD_LIMIT_S` of CPU past the budget, and replaced. That limit is CPU time too: on a
  machine busy enough that a fresh child needs seconds of wall time to import the builder,
  an ordinary preview still gets its answer. A child that neither answers nor uses CPU
  (a deadlock) is killed after `WALL_LIMIT_S`. All children are daemons, gone when this
  process exits, and each also exits when its pipe closes;
- when every child is busy, a request waits up to `cpu.WAIT_S`, then gets 503.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import Any, ParamSpec, TypeVar

from interactions_api.errors import Unprocessable
from interactions_api.services.cpu import WAIT_S, Busy

P = ParamSpec("P")
T = TypeVar("T")

BUDGET_S = 1.0
HARD_LIMIT_S = 10.0  # CPU seconds past the budget; only for a child that ignores its timer
WALL_LIMIT_S = 120.0  # for a child that neither answers nor uses CPU
POLL_S = 0.25
WHAT = "article previews"


class _OverBudget(Exception):
    pass


def _over_budget(_signum: int, _frame: FrameType | None) -> None:
    raise _OverBudget


def _serve(jobs: Connection, answers: Connection) -> None:
    """A child's loop: run each job under a CPU timer, answer (outcome, value)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when children stop
    signal.signal(signal.SIGPROF, _over_budget)
    while True:
        try:
            fn, args, budget = jobs.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        try:
            signal.setitimer(signal.ITIMER_PROF, budget)
            try:
                answer: tuple[str, Any] = ("ok", fn(*args))
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
        except _OverBudget:
            answer = ("over", None)
        except Exception as exc:  # any failure of the renderer is the text's
            answer = ("error", f"{type(exc).__name__}: {exc}"[:300])
        answers.send(answer)


class _Child:
    def __init__(self) -> None:
        job_read, job_write = os.pipe()
        answer_read, answer_write = os.pipe()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        command = [sys.executable, "-m", __name__, str(job_read), str(answer_write)]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, pass_fds=(job_read, answer_write), env=env, stdin=subprocess.DEVNULL
        )
        os.close(job_read)
        os.close(answer_write)
        self.jobs = Connection(job_write, readable=False)
        self.answers = Connection(answer_read, writable=False)

    def ask(self, job: tuple[Any, ...], cpu_limit: float) -> Any:
        """Send a job and wait for its answer; None once the child has used `cpu_limit`
        seconds of CPU on it (or `WALL_LIMIT_S` passed) without answering."""
        start_cpu, start = _cpu_seconds(self.process.pid), time.monotonic()
        self.jobs.send(job)
        while not self.answers.poll(POLL_S):
            waited = time.monotonic() - start
            used = _cpu_seconds(self.process.pid)
            if used is None or start_cpu is None:
                if waited > cpu_limit:  # no CPU clock for other processes: wall time
                    return None
            elif used - start_cpu > cpu_limit:
                return None
            if waited > WALL_LIMIT_S:
                return None
        return self.answers.recv()

    def stop(self) -> None:
        self.jobs.close()
        self.answers.close()
        self.process.kill()
        self.process.wait(5)


def _cpu_seconds(pid: int) -> float | None:
    """CPU time used so far by process `pid` (Linux /proc), or None where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / _CLOCK_TICKS


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class RenderPool:
    """Up to `size` children; `run` hands a job to an idle one, starting it if needed."""

    def __init__(self, size: int, *, budget_s: float = BUDGET_S, wait_s: float = WAIT_S) -> None:
        self.budget_s = budget_s
        self.wait_s = wait_s
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Child] = []
        self._lock = threading.Lock()

    def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args)` in a child; 422 over budget or on error, 503 when all are busy."""
        assert not kwargs, "jobs take positional arguments"
        if not self._slots.acquire(timeout=self.wait_s):
            raise Busy(WHAT)
        try:
            child = self._idle_child() or _Child()
            outcome, value = self._ask(child, fn, args)
            with self._lock:
                self._idle.append(child)
        finally:
            self._slots.release()
        if outcome == "over":
            raise refused(
                f"The body's Markdown took more than {self.budget_s:g} s of CPU to render; "
                "simplify it (fewer brackets, headings or code blocks).",
                code="markdown_too_complex",
            )
        if outcome == "error":
            raise refused(f"The body's Markdown could not be rendered ({value}).")
        result: T = value
        return result

    def _idle_child(self) -> _Child | None:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.process.poll() is None:
                    return child
                child.stop()  # died while idle (OOM killer, an operator): not the text's fault
        return None

    def _ask(self, child: _Child, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        try:
            answer = child.ask((fn, args, self.budget_s), self.budget_s + HARD_LIMIT_S)
            if answer is not None:
                return answer
        except (EOFError, OSError):
            pass  # the child died with the job (a crash in C code, the OOM killer)
        child.stop()
        raise refused("The body's Markdown stopped the renderer; simplify it.")

    def close(self) -> None:
        """Stop every idle child (busy ones stop with this process)."""
        with self._lock:
            children, self._idle = self._idle, []
        for child in children:
            child.stop()


def refused(message: str, *, code: str = "markdown_error") -> Unprocessable:
    """422 about the `body` field."""
    return Unprocessable(message, code=code, fields=[{"field": "body", "message": message}])


_POOL: RenderPool | None = None
_POOL_LOCK = threading.Lock()


def pool() -> RenderPool:
    """The process's render pool (made on first use: a child per core, at most 4)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = RenderPool(min(4, max(2, os.cpu_count() or 2)))
        return _POOL


if __name__ == "__main__":
    _serve(
        Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False)
    )
