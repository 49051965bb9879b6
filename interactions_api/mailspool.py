"""Mail kept on disk while Redis is away, queued for the worker once it answers again.

One JSON file per mail in `data_dir/mail-spool`, written atomically and readable only by
the service's user (mails carry sign-in links). Several API processes may replay at once:
each file is claimed by renaming it, which exactly one process wins. A claim left behind
by a process that died while replaying is taken back after `STALE_CLAIM_S`.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("quire.mail")

SPOOL_DIR = "mail-spool"
CLAIMED = ".sending"
STALE_CLAIM_S = 300
REPLAY_BATCH = 200  # per call: a long outage's backlog drains over a few requests


def spool_dir(data_dir: Path) -> Path:
    """Where mails wait for Redis."""
    return data_dir / SPOOL_DIR


def keep(data_dir: Path, mail: dict[str, Any], reason: BaseException) -> None:
    """Write `mail` (the send job's kwargs) to the spool; never raises, never drops silently."""
    folder = spool_dir(data_dir)
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{name}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(mail, out)
        temporary.replace(folder / name)
    except OSError as exc:
        log.error(
            "mail to %s (%r) LOST: Redis unavailable (%s) and the spool unwritable (%s)",
            mail.get("to"),
            mail.get("subject"),
            reason,
            exc,
        )
        return
    log.info("mail to %s kept in %s until Redis answers (%s)", mail.get("to"), folder, reason)


def replay(data_dir: Path, enqueue: Callable[[dict[str, Any]], None]) -> int:
    """Hand spooled mails to `enqueue`, oldest first; stops at the first failure (the
    mail stays spooled). Returns how many were queued."""
    folder = spool_dir(data_dir)
    try:
        names = sorted(p.name for p in folder.iterdir())
    except FileNotFoundError:
        return 0
    _reclaim_stale(folder, names)
    queued = 0
    for name in [n for n in names if n.endswith(".json")][:REPLAY_BATCH]:
        path, claim = folder / name, folder / (name + CLAIMED)
        try:
            path.rename(claim)  # exactly one process wins each mail
        except FileNotFoundError:
            continue
        try:
            mail = json.loads(claim.read_text(encoding="utf-8"))
        except ValueError:
            log.error("spooled mail %s unreadable: set aside as %s.bad", name, name)
            claim.rename(folder / (name + ".bad"))
            continue
        try:
            enqueue(mail)
        except Exception:
            claim.rename(path)
            raise
        claim.unlink()
        queued += 1
    if queued:
        log.warning("%d mail(s) kept during the Redis outage queued for sending", queued)
    return queued


def _reclaim_stale(folder: Path, names: list[str]) -> None:
    for name in names:
        if not name.endswith(CLAIMED):
            continue
        claim = folder / name
        try:
            if time.time() - claim.stat().st_mtime > STALE_CLAIM_S:
                claim.rename(folder / name.removesuffix(CLAIMED))
        except FileNotFoundError:
            continue
