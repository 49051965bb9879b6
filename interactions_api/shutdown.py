"""Stopping the long-running commands (`quire api`, `quire run`) cleanly on a signal.

uvicorn stops gracefully on SIGTERM or SIGINT (no new connections, requests in flight
answered), then raises the same signal again once it has restored the handlers it found.
Left to Python's defaults that second signal kills the process (exit -15) or raises
KeyboardInterrupt past our `finally` blocks (exit 130). With these handlers it ends the
process with exit code 0, after the cleanup a service manager expects.
"""

from __future__ import annotations

import signal
import sys

# Seconds uvicorn lets requests in flight finish after a stop signal; then it cuts them.
REQUEST_GRACE = 10


def exit_cleanly_on_signals() -> None:
    """Make SIGTERM and SIGINT end the process with exit code 0, running `finally` blocks."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit)


def _exit(signum: int, _frame: object) -> None:
    # Once: a second Ctrl+C must not cut short the cleanup the first one started.
    for other in (signal.SIGTERM, signal.SIGINT):
        signal.signal(other, signal.SIG_IGN)
    sys.exit(0)
