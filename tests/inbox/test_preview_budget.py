"""Inbox previews and saves of hostile Markdown: bounded CPU, a clear 422, never a 500."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from typing import Any

import psutil
import pytest
from inbox_helpers import POST

from interactions_api.services import cpu, sandbox

# The admonition plugin raised IndexError on this (a quote ending without a newline).
CRASHING = "> a|b\n> -|-\n>"


def _cpu_seconds() -> float:
    """CPU used so far by this process and its children (the render sandbox)."""
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += sum(child.cpu_times()[:2])
    return total


def _preview(author: Any, body: str) -> Any:
    return author.post("/api/inbox/preview", json={**POST, "body": body})


def test_a_preview_of_200_kb_of_brackets_stops_within_its_budget(author: Any) -> None:
    assert _preview(author, "Warm *up*.").status_code == 200  # the renderer is started
    cpu, wall = _cpu_seconds(), time.perf_counter()
    response = _preview(author, "[" * 200_000)
    cpu, wall = _cpu_seconds() - cpu, time.perf_counter() - wall
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.json()["code"] == "markdown_too_complex"
        assert response.json()["fields"][0]["field"] == "body"
    assert cpu < 2.0, f"the preview cost {cpu:.2f}s of CPU"
    assert wall < 15, f"the preview took {wall:.1f}s"
    again = _preview(author, "Still **fine**.")
    assert again.status_code == 200 and "<strong>fine</strong>" in again.json()["html"]


def test_markdown_that_breaks_the_renderer_never_answers_500(author: Any) -> None:
    for n, body in enumerate((CRASHING, "Intro\n\n" + CRASHING)):
        preview = _preview(author, body)
        assert preview.status_code in (200, 422), preview.text
        if preview.status_code == 422:
            assert preview.json()["code"] == "markdown_error"
            assert preview.json()["fields"][0]["field"] == "body"
        post = {**POST, "title": f"Broken {n}", "body": body}
        saved = author.post("/api/inbox/submissions", json=post)
        assert saved.status_code in (201, 422), saved.text


def test_a_renderer_that_died_while_idle_is_replaced_without_an_error(author: Any) -> None:
    assert _preview(author, "Warm *up*.").status_code == 200
    renderers = [
        child
        for child in psutil.Process().children()
        if "interactions_api.services.sandbox" in " ".join(child.cmdline())
    ]
    assert renderers, "previews run in a sandbox child"
    for child in renderers:
        child.kill()
    psutil.wait_procs(renderers, timeout=5)
    response = _preview(author, "After the *crash*.")
    assert response.status_code == 200, response.text
    assert "<em>crash</em>" in response.json()["html"]


def test_a_full_render_pool_answers_503_soon_and_recovers() -> None:
    pool = sandbox.RenderPool(1, wait_s=0.2)
    try:
        slow = threading.Thread(target=pool.run, args=(time.sleep, 1.5))
        slow.start()
        time.sleep(0.5)  # the only child is busy (sleeping costs no CPU budget)
        started = time.perf_counter()
        with pytest.raises(cpu.Busy) as busy:
            pool.run(str.upper, "waiting")
        assert time.perf_counter() - started < 1
        assert busy.value.status == 503 and busy.value.headers["Retry-After"].isdigit()
        slow.join()
        assert pool.run(str.upper, "later") == "LATER"
    finally:
        pool.close()


def _burn_ignoring_the_timer(seconds: float) -> None:
    """Burn CPU with the budget's signal blocked: a renderer stuck where no signal reaches."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPROF})
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_a_slow_machine_does_not_turn_an_ordinary_preview_into_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On a machine loaded twenty-fold, a fresh renderer needed more than the old 10 s of
    # wall time to answer, and authors were told their Markdown "stopped the renderer".
    # The limit is CPU time now: a job that waits (here: sleeps) past it is not killed.
    pool = sandbox.RenderPool(1, budget_s=0.5)
    try:
        assert pool.run(str.upper, "warm") == "WARM"  # its start-up is not the job's CPU
        monkeypatch.setattr(sandbox, "HARD_LIMIT_S", 0.5)
        assert pool.run(time.sleep, 2.0) is None
    finally:
        pool.close()


def test_a_renderer_ignoring_its_timer_is_killed_by_its_cpu_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool = sandbox.RenderPool(1, budget_s=0.5)
    try:
        assert pool.run(str.upper, "warm") == "WARM"
        monkeypatch.setattr(sandbox, "HARD_LIMIT_S", 0.5)
        started = time.perf_counter()
        with pytest.raises(Exception) as refused:
            pool.run(_burn_ignoring_the_timer, 30.0)
        assert refused.value.status == 422  # type: ignore[attr-defined]
        assert "stopped the renderer" in str(refused.value)
        assert time.perf_counter() - started < 25
        monkeypatch.setattr(sandbox, "HARD_LIMIT_S", 10.0)  # the new child's start-up
        assert pool.run(str.upper, "next") == "NEXT"  # a fresh child took its place
    finally:
        pool.close()
