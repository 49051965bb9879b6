"""A CPU time budget for highlighting one code block.

Some Pygments lexers have regexes that backtrack catastrophically: a quote and a few dozen
backslashes keep the Factor, Scala or Rego lexer busy for hours, and spaces make the
AutoIt lexer quadratic. The lexing loop cannot see that: one regex match can take all the
time. In the main thread (a build, and each forked worker of a parallel build) a CPU timer
signal interrupts the match, whichever lexer runs (markdown.fast.lexer's loop, Pygments' own,
or a lexer's custom one), at no cost per token. In other threads (the preview server's
rebuild thread) signals cannot reach the code, so the tokens are counted and the thread's
CPU clock read every `_EVERY` of them: that bounds lexers that are slow over many tokens,
not a single runaway match.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

HIGHLIGHT_BUDGET = 1.0  # seconds of CPU time for one code block
_REPEAT = 0.05  # if something swallows the first signal, another one comes after this
_EVERY = 16  # tokens between two reads of the clock, outside the main thread
_TIMER = hasattr(signal, "setitimer")  # not on Windows: tokens are counted there too


def _signals_reach() -> bool:
    """Whether a timer signal can interrupt the code running here."""
    return _TIMER and threading.current_thread() is threading.main_thread()


class Overtime(BaseException):
    """Highlighting a block used up its budget (a BaseException, so that no lexer's
    `except Exception` swallows it)."""


@contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Raise Overtime in the block once this process has used `seconds` of CPU time in
    it (in the main thread, where signals reach; elsewhere see `counted`)."""
    if not _signals_reach():
        yield
        return
    previous = signal.signal(signal.SIGVTALRM, _expire)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds, _REPEAT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def _expire(signum: int, frame: object) -> None:
    raise Overtime


def counted(tokens: Iterator[T], seconds: float) -> Iterator[T]:
    """`tokens`, raising Overtime once this thread has spent `seconds` of CPU time on
    them; as they are in the main thread, where `cpu_budget` does it for free."""
    if _signals_reach():
        return tokens
    return _checked(tokens, time.thread_time() + seconds)


def _checked(tokens: Iterator[T], deadline: float) -> Iterator[T]:
    clock = time.thread_time
    for number, token in enumerate(tokens):
        if not number % _EVERY and clock() > deadline:
            raise Overtime
        yield token
