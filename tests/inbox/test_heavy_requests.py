"""Heavy inbox requests (large images, pathological Markdown) never stall the API."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from inbox_helpers import create
from PIL import Image

from interactions_api.models.user import Role
from interactions_api.security import csrf_token, presession_cookie_name
from interactions_api.services import cpu, sessions

ORIGIN = "https://testserver"
PASSWORD = "a sturdy test passphrase"
SIGNIN = "/api/inbox/ui/signin"


@pytest.fixture(scope="module")
def big_png() -> bytes:
    """A 6000x6000 PNG: 36 megapixels (under the cap) in about 120 KB."""
    buf = io.BytesIO()
    Image.new("RGB", (6000, 6000), (200, 30, 30)).save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _as(app: FastAPI, author: Any) -> dict[str, str]:
    name = sessions.cookie_name(app.state.settings.cookie_secure)
    return {"Cookie": f"{name}={author.cookies.get(name)}", "Origin": ORIGIN}


def _form(app: FastAPI, author: Any) -> dict[str, str]:
    """The upload form's CSRF field, bound to the author's session."""
    name = sessions.cookie_name(app.state.settings.cookie_secure)
    return {"csrf_token": csrf_token(app.state.settings, author.cookies.get(name))}


def test_a_large_image_upload_does_not_stall_health_checks(
    app: FastAPI, author: Any, live_server: str, big_png: bytes
) -> None:
    sub = create(author)
    url = f"{live_server}/api/inbox/submissions/{sub['id']}/images"
    answer: list[httpx.Response] = []

    def upload() -> None:
        with httpx.Client(headers=_as(app, author), timeout=60) as http:
            files = {"file": ("big.png", big_png, "image/png")}
            answer.append(http.post(url, data=_form(app, author), files=files))

    with httpx.Client(base_url=live_server, timeout=30) as probe:
        assert probe.get("/api/health").status_code == 200  # connection warm
        uploader = threading.Thread(target=upload)
        uploader.start()
        times = _health_while(probe, uploader.is_alive)
    assert answer[0].status_code == 201, answer[0].text
    # On the event loop the image stalled every request for its whole 2-4 s. The bounds
    # leave room for a busy shared test machine's scheduler, not for the image.
    # (The suite runs on three processes: another test may hold a core for a while.)
    assert times[len(times) // 2] < 0.1, f"/api/health answers took {times}"
    assert times[-1] < 1.0, f"/api/health took {times[-1]:.2f}s while an image was processed"


def _health_while(probe: httpx.Client, busy: Callable[[], bool]) -> list[float]:
    """How long each /api/health took while `busy()`, shortest first."""
    times: list[float] = []
    while busy():
        started = time.perf_counter()
        assert probe.get("/api/health").status_code == 200
        times.append(time.perf_counter() - started)
        time.sleep(0.02)
    return sorted(times)


def test_uploads_beyond_the_image_slots_are_told_to_retry(
    app: FastAPI, author: Any, big_png: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = create(author)
    gate = cpu.gate("image uploads")
    monkeypatch.setattr(gate, "wait_s", 0.2)
    held = [gate.slot() for _ in range(gate.slots)]
    for slot in held:  # every slot busy, as under a burst of large uploads
        slot.__enter__()
    try:
        started = time.perf_counter()
        busy = author.post(
            f"/api/inbox/submissions/{sub['id']}/images",
            data=_form(app, author),
            files={"file": ("big.png", big_png, "image/png")},
        )
        waited = time.perf_counter() - started
    finally:
        for slot in held:
            slot.__exit__(None, None, None)
    assert busy.status_code == 503, busy.text
    assert busy.json()["code"] == "busy"
    assert busy.headers["Retry-After"].isdigit()
    assert waited < 2, "a saturated gate answers quickly instead of queueing"
    again = author.post(
        f"/api/inbox/submissions/{sub['id']}/images",
        data=_form(app, author),
        files={"file": ("small.png", _small_png(), "image/png")},
    )
    assert again.status_code == 201, again.text


def _small_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 0)).save(buf, "PNG")
    return buf.getvalue()


def test_a_burst_of_form_sign_ins_does_not_stall_health_checks(
    app: FastAPI, make_user: Any, live_server: str
) -> None:
    settings = app.state.settings
    user = make_user(Role.author, password=PASSWORD)
    pre = presession_cookie_name(settings.cookie_secure)
    browser = {"Cookie": f"{pre}=burst", "Origin": ORIGIN}
    form = {"csrf_token": csrf_token(settings, "pre:burst"), "email": user.email}
    codes: list[int] = []

    def sign_in() -> None:
        with httpx.Client(base_url=live_server, headers=browser, timeout=60) as http:
            codes.append(http.post(SIGNIN, data={**form, "password": PASSWORD}).status_code)

    with httpx.Client(base_url=live_server, timeout=30) as probe:
        assert probe.get("/api/health").status_code == 200
        burst = [threading.Thread(target=sign_in) for _ in range(30)]
        for thread in burst:
            thread.start()
        times = _health_while(probe, lambda: any(t.is_alive() for t in burst))
    assert codes.count(303) == 30, codes
    assert times[len(times) // 2] < 0.1, f"/api/health answers took {times}"
    assert times[-1] < 1.0, f"/api/health took {times[-1]:.2f}s during 30 sign-ins"
