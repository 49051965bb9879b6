"""Fixtures for the theme tests: a site that uses every feature, rendered once per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from themekit import CHROMIUM, CHROMIUM_ARGS, REPO, Rendered, make_site, page, post, render, term

from builder.config import BuildOptions
from builder.model import Cover, Heading, Site
from builder.pipeline import BuildResult, build_site

STARTER = REPO / "content_templates" / "site"


@pytest.fixture
def full_site() -> Site:
    """A site using every feature the theme shows: tags, category, series, cover, toc, pages."""
    python, web = "Python", "Web"
    posts = [
        post(
            1,
            tags=[python],
            category=term("categories", "Guides"),
            series=term("series", "Learning"),
            cover=Cover("/images/c.png", "A cover"),
        ),
        post(
            2,
            tags=[python, web],
            series=term("series", "Learning"),
            toc=(Heading(2, "First", "first"), Heading(3, "Second", "second")),
            aliases=("/old/post-two/", "/2024/02/post-two.html"),
        ),
        post(3, tags=[web], updated=datetime(2024, 3, 1, tzinfo=UTC)),
        post(4, tags=[python]),
        post(5, tags=[], day=400),
    ]
    return make_site(posts, [page("about")], menu=[{"name": "About", "url": "/about/"}])


@pytest.fixture
def rendered(full_site: Site) -> Rendered:
    return render(full_site)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The starter site built by the real pipeline, two posts per page so every page type exists."""
    site = tmp_path_factory.mktemp("starter") / "site"
    shutil.copytree(STARTER, site)
    config = site / "quire.toml"
    config.write_text(config.read_text().replace("per_page = 10", "per_page = 2"))
    result = build_site(site, BuildOptions(output_dir=site / "public"))
    assert result.ok, [str(d) for d in result.diagnostics]
    return result


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
