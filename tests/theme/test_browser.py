"""The default theme in a real browser (Debian's chromium): search, keyboard, dark mode,
small screens. The built starter site is served by a plain static file server, as a CDN
would serve it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from themekit import static_server

from builder.pipeline import BuildResult

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def origin(built: BuildResult) -> Iterator[str]:
    """The built site on a loopback static server."""
    with static_server(built.output_dir) as url:
        yield url


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context()
    errors: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert errors == []


def test_search_page_finds_a_post(page: Any, origin: str) -> None:
    page.goto(f"{origin}/search/")
    page.get_by_label("Words to find").fill("Fibonacci")
    result = page.locator("#search-results a").first
    result.wait_for(timeout=15000)
    assert result.get_attribute("href") == "/posts/highlighting-code/"
    assert page.locator("#search-results mark").first.inner_text().lower() == "fibonacci"


def test_pages_request_nothing_missing_not_even_a_favicon(page: Any, origin: str) -> None:
    """Every file a page asks for exists (browsers ask for /favicon.ico unless told)."""
    missing: list[str] = []
    # /api/* is the interaction API, which this static server does not run.
    page.on(
        "response",
        lambda r: r.status >= 400 and "/api/" not in r.url and missing.append(r.url),
    )
    for path in ("/", "/posts/highlighting-code/"):
        page.goto(f"{origin}{path}", wait_until="networkidle")
    assert page.evaluate("document.querySelector('link[rel=icon]').href").endswith(".svg")
    assert missing == []


def test_warnings_look_unlike_notes(page: Any, origin: str) -> None:
    page.goto(f"{origin}/posts/markdown-tour/")
    border = "(s) => getComputedStyle(document.querySelector(s)).borderLeftColor"
    note, warning = (page.evaluate(border, f".admonition.{k}") for k in ("note", "warning"))
    assert note != warning


def test_reading_time_and_counts_are_separated(page: Any, origin: str) -> None:
    """The widget writes "3 comments · 2 likes" into the slot; a dot must stand before it."""
    page.goto(f"{origin}/")
    before = page.evaluate(
        """() => { const s = document.querySelector('.post-meta .quire-counts');
                   s.textContent = '3 comments';
                   return getComputedStyle(s, '::before').content; }"""
    )
    assert "·" in before


def test_skip_link_appears_on_tab_and_focus_is_visible(page: Any, origin: str) -> None:
    page.goto(f"{origin}/posts/welcome/")
    skip = page.locator("a.skip-link")
    assert skip.bounding_box()["y"] < 0  # hidden above the page until focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 10
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")  # the next stop is inside the main content
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def _background(page: Any, selector: str) -> str:
    return str(
        page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).backgroundColor")
    )


def test_dark_scheme_darkens_page_and_code(page: Any, origin: str) -> None:
    page.emulate_media(color_scheme="light")
    page.goto(f"{origin}/posts/highlighting-code/")
    light_body, light_code = _background(page, "body"), _background(page, ".highlight")
    page.emulate_media(color_scheme="dark")
    dark_body, dark_code = _background(page, "body"), _background(page, ".highlight")
    assert light_body == "rgb(255, 255, 255)"
    assert dark_body == "rgb(13, 17, 23)"
    assert dark_code != light_code and dark_code == "rgb(22, 27, 34)"


@pytest.mark.parametrize("path", ["/", "/posts/highlighting-code/", "/posts/markdown-tour/"])
def test_small_screens_do_not_scroll_sideways(chromium: Any, origin: str, path: str) -> None:
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        tab = context.new_page()
        tab.goto(origin + path)
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
    finally:
        context.close()
