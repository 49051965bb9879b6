"""Untrusted comment Markdown costs bounded CPU: rendered quickly or refused with 422."""

from __future__ import annotations

import gc
import time
from typing import Any

import pytest
from interaction_helpers import THREAD, listing, member, post

# Each of these took 0.1-0.3 s of CPU to render before rendering had a budget.
PATHOLOGICAL = {
    "brackets": "[" * 16_384,
    "emphasis-brackets": "*[" * 8_192,
    "bracket-emphasis": "[*a" * 5_461,
    "image-openers": "![" * 8_192,
    "list-items": "- a\n" * 4_096,
    "nested-quotes-and-lists": ("> " * 19 + "- a\n") * 390,
    "many-links": "[a](b)" * 2_730,
}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"moderation": "none", "comments_per_minute": 10_000}


def _cpu(fn: Any) -> tuple[Any, float]:
    """`fn()` and the process CPU it cost, without a full garbage collection of the
    test process's heap (100+ ms here, and not the request's own cost)."""
    gc.collect()
    gc.freeze()
    try:
        started = time.process_time()
        result = fn()
        return result, time.process_time() - started
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("body", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_a_pathological_comment_preview_costs_little_cpu(client: Any, body: str) -> None:
    assert len(body.encode()) <= 16_384
    client.post("/api/comments/preview", json={"body": "warm up"})
    response, cpu = _cpu(lambda: client.post("/api/comments/preview", json={"body": body}))
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.json()["code"] == "markdown_too_complex"
        assert response.json()["fields"][0]["field"] == "body"
    assert cpu < 0.1, f"the preview took {cpu:.3f}s of CPU"


def test_a_too_complex_comment_is_refused_naming_the_body_and_not_stored(
    app: Any, make_user: Any, client: Any, manifest: Any
) -> None:
    manifest(THREAD)
    reader = member(app, make_user)
    assert post(reader, "warm up").status_code == 201
    response, cpu = _cpu(lambda: post(reader, "[*a" * 5_461))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "markdown_too_complex"
    assert body["fields"] == [{"field": "body", "message": body["message"]}]
    assert "[" in body["message"]
    assert cpu < 0.2
    assert [c["html"] for c in listing(client)["comments"]] == ["<p>warm up</p>"]


def test_a_long_ordinary_comment_still_renders(app: Any, make_user: Any, manifest: Any) -> None:
    manifest(THREAD)
    reader = member(app, make_user)
    paragraph = (
        "A **long** comment with `code()`, _emphasis_ and a [link](https://example.org/a), "
        "as people write them when they have a lot to say about an article. "
    ) * 5
    quoted = "> " + paragraph[:300]
    items = "\n".join(f"- point {n}: {paragraph[:60]}" for n in range(5))
    body = "\n\n".join([paragraph, quoted, items, "```\nx = f(a[i])\n```"] * 12)[:16_000]
    assert post(reader, "warm up").status_code == 201
    response, cpu = _cpu(lambda: post(reader, body))
    assert response.status_code == 201, response.text
    html = response.json()["html"]
    assert html.count("<strong>long</strong>") >= 12 and "<blockquote>" in html
    assert cpu < 0.2


@pytest.mark.parametrize("deep", ["> " * 25 + "the point", "> - " * 6 + "the point"])
def test_nesting_deeper_than_shown_is_refused_not_silently_cut(client: Any, deep: str) -> None:
    # markdown-it drops whatever is nested past its limit: the text would vanish.
    response = client.post("/api/comments/preview", json={"body": deep})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "markdown_too_complex"
    assert "levels deep" in response.json()["fields"][0]["message"]
    shallow = client.post("/api/comments/preview", json={"body": "> " * 9 + "the point"})
    assert shallow.status_code == 200 and "the point" in shallow.json()["html"]
