"""The search page in Chromium, through the shipped search script and the index a build
wrote: an edit is found at once, a deleted post is gone, filters narrow, axe is content."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from themekit import REPO, static_server

from builder.config import BuildOptions
from builder.pipeline import build_site

pytestmark = pytest.mark.browser

AXE = Path(os.environ.get("QUIRE_AXE_JS", REPO / "node_modules/axe-core/axe.min.js"))
AUTHORS = '[ada]\nname = "Ada Lovelace"\n\n[grace]\nname = "Grace Hopper"\n'


def _post(title: str, body: str, tags: str, author: str, day: int) -> str:
    return (
        f"---\ntitle: {title}\ndate: 2024-05-{day:02d}\ntags: [{tags}]\nauthors: [{author}]\n"
        f"---\n\nOpening paragraph about {title.lower()}.\n\n{body}\n"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("search") / "site"
    posts = root / "content/posts"
    posts.mkdir(parents=True)
    (root / "quire.toml").write_text('title = "S"\nbase_url = "https://s.example.com"\n')
    (root / "authors.toml").write_text(AUTHORS)
    (posts / "lamps.md").write_text(
        _post("Lamps", "The lighthouse keeper trims wicks.", "Sea", "ada", 1)
    )
    (posts / "boats.md").write_text(
        _post("Boats", "A lighthouse guides the boats home.", "Sea, Craft", "grace", 2)
    )
    (posts / "bread.md").write_text(
        _post("Bread", "Sourdough needs a lighthouse of patience.", "Kitchen", "ada", 3)
    )
    assert build_site(root, BuildOptions()).ok
    with static_server(root / "public") as url:
        yield root, url


def _search(chromium: Any, origin: str, query: str = "", **filters: str) -> list[str]:
    """The result links' URLs for `query` typed into a fresh page (no cached index)."""
    context = chromium.new_context()
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{origin}/search/")
        for label, value in filters.items():
            page.get_by_label(label).select_option(value)
        page.get_by_label("Words to find").fill(query)
        status = page.locator("#search-status")
        status.filter(has_text="result").wait_for(timeout=10000)
        links = page.locator("#search-results h2 a")
        expected = int(status.inner_text().split()[0])
        page.wait_for_function(
            f"document.querySelectorAll('#search-results h2 a').length == {min(expected, 10)}"
        )
        return sorted(links.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))"))
    finally:
        context.close()
        assert errors == []


def test_edits_and_deletions_are_searchable_after_the_build(
    chromium: Any, site: tuple[Path, str]
) -> None:
    root, origin = site
    assert _search(chromium, origin, "lighthouse") == [
        "/posts/boats/",
        "/posts/bread/",
        "/posts/lamps/",
    ]
    assert _search(chromium, origin, "lighth") == _search(chromium, origin, "lighthouse")
    lamps = root / "content/posts/lamps.md"
    lamps.write_text(
        lamps.read_text().replace("The lighthouse keeper trims wicks.", "Kerosene smells.")
    )
    assert build_site(root, BuildOptions()).ok
    assert _search(chromium, origin, "kerosene") == ["/posts/lamps/"]
    assert _search(chromium, origin, "lighthouse") == ["/posts/boats/", "/posts/bread/"]
    (root / "content/posts/bread.md").unlink()
    assert build_site(root, BuildOptions()).ok
    assert _search(chromium, origin, "lighthouse") == ["/posts/boats/"]
    assert _search(chromium, origin, "sourdough") == []


def test_filters_by_tag_and_author(chromium: Any, site: tuple[Path, str]) -> None:
    _, origin = site
    assert _search(chromium, origin, "paragraph", Tag="sea") == ["/posts/boats/", "/posts/lamps/"]
    assert _search(chromium, origin, "paragraph", Author="grace") == ["/posts/boats/"]
    assert _search(chromium, origin, "paragraph", Tag="sea", Author="ada") == ["/posts/lamps/"]


def test_results_show_an_excerpt_with_the_words_marked(
    chromium: Any, site: tuple[Path, str]
) -> None:
    _, origin = site
    page = chromium.new_page()
    try:
        page.goto(f"{origin}/search/?q=boats+home")
        mark = page.locator("#search-results mark")
        mark.first.wait_for(timeout=10000)
        assert [m.lower() for m in mark.all_inner_texts()] == ["boats", "boats", "home"]
        assert "1 result" in page.locator("#search-status").inner_text()
    finally:
        page.close()


def test_no_serious_accessibility_violations(chromium: Any, site: tuple[Path, str]) -> None:
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed ({AXE}): run npm ci")
    _, origin = site
    page = chromium.new_page()
    try:
        page.goto(f"{origin}/search/?q=lighthouse")
        page.locator("#search-results mark").first.wait_for(timeout=10000)
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        found = page.evaluate("async () => (await axe.run()).violations")
        serious = [v["id"] for v in found if v["impact"] in ("serious", "critical")]
        assert serious == [], json.dumps(found, indent=1)[:2000]
    finally:
        page.close()
