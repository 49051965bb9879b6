"""The starter site built through the whole pipeline: valid HTML everywhere, a search index.

The Nu HTML checker (vnu.jar from the `vnu-jar` npm package) runs once over every page of
the built site; it needs Java. Set QUIRE_REQUIRE_VNU=1 to fail instead of skipping when it
is missing; under CI=true a missing Pagefind binary fails too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from themekit import REPO, find_all

from builder.config import BuildOptions
from builder.pipeline import BuildResult, build_site

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _kinds(result: BuildResult) -> dict[str, str]:
    assert result.manifest is not None
    return {path: entry.kind for path, entry in result.manifest.files.items()}


def test_every_page_type_is_built(built: BuildResult) -> None:
    files = _kinds(built)
    html = {p for p, k in files.items() if k in {"html", "redirect"}}
    for pattern in (
        "index.html",
        "page/1/index.html",
        "posts/",
        "about/index.html",
        "tags/index.html",
        "tags/",
        "categories/",
        "series/",
        "authors/",
        "archive/index.html",
        "archive/2024/",
        "search/index.html",
        "404.html",
    ):
        assert any(p.startswith(pattern) for p in html), pattern
    assert "redirect" in files.values()
    assert {"feed.xml", "feed.json", "sitemap.xml", "robots.txt"} <= set(files)


def _vnu_available() -> str | None:
    if shutil.which("java") is None:
        return "java is not installed"
    if not VNU.is_file():
        return f"{VNU} is missing (run `npm install`)"
    return None


def test_every_page_is_valid_html(built: BuildResult) -> None:
    missing = _vnu_available()
    if missing:
        if os.environ.get("QUIRE_REQUIRE_VNU") == "1":
            pytest.fail(f"Nu HTML checker required (QUIRE_REQUIRE_VNU=1) but {missing}")
        pytest.skip(f"Nu HTML checker not available: {missing}")
    pages = sorted(
        str(built.output_dir / p) for p, k in _kinds(built).items() if k in {"html", "redirect"}
    )
    proc = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    report = json.loads(proc.stderr or proc.stdout)
    errors = [f"{m.get('url', '')}:{m.get('lastLine')}: {m['message']}" for m in report["messages"]]
    assert errors == []
    assert len(pages) >= 20


def test_search_index_is_built(built: BuildResult) -> None:
    files = _kinds(built)
    search = {p for p, k in files.items() if k == "search"}
    articles = [p for p, k in files.items() if k == "html" and p.startswith(("posts/", "about/"))]
    documents = [p for p in search if p.startswith("search/d/")]
    assert len(documents) == len(articles)  # every post and page, nothing else
    assert "search/meta.json" in search and any(p.startswith("search/t/") for p in search)
    page = (built.output_dir / "search/index.html").read_text()
    assert find_all(page, "form", role="search")


def test_building_twice_gives_the_same_bytes(built: BuildResult, tmp_path: Path) -> None:
    site = built.output_dir.parent
    again = build_site(site, BuildOptions(output_dir=tmp_path / "again"))
    assert again.ok and again.manifest is not None and built.manifest is not None
    first = {p: e.sha256 for p, e in built.manifest.files.items()}
    second = {p: e.sha256 for p, e in again.manifest.files.items()}
    assert first == second
