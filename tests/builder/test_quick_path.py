"""The quick path (builder/quick.py): a body edit rewrites only that post's page (and the
feeds that carry it), gives exactly a clean build's output, and gives way to the normal
incremental build whenever anything else changed."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import pytest
from builder_testlib import options, tree_digest

from builder import load, uptodate
from builder.cache import CACHE_DIR
from builder.pipeline import BuildResult, ParseCache, build_site

CONFIG = 'title = "Q"\nbase_url = "https://q.example.com"\nper_page = 3\nfeed_items = 2\n'


def _post(n: int, tags: str, body: str) -> str:
    return f"---\ntitle: Post {n}\ndate: 2024-03-{n:02d}\ntags: [{tags}]\n---\n\n{body}\n"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Ten posts in two tags and a standalone page, built once. The stat of a file
    edited moments before a build is normally not trusted (the build re-reads it and the
    quick path stays out of play); these tests edit between builds, so they trust it."""
    monkeypatch.setattr(load, "RACY_NS", 0)
    monkeypatch.setattr(load, "FINE_RACY_NS", 0)
    monkeypatch.setattr(uptodate, "FINE_RACY_NS", 0)
    root = tmp_path / "site"
    posts = root / "content" / "posts"
    posts.mkdir(parents=True)
    (root / "quire.toml").write_text(CONFIG)
    (root / "content" / "about.md").write_text("---\ntitle: About\n---\n\nWho we are.\n")
    for n in range(1, 11):
        body = f"First paragraph of post {n}.\n\n```python\nprint({n})\n```"
        (posts / f"p{n:02d}.md").write_text(_post(n, "odd" if n % 2 else "even", body))
    _build(root)
    return root


def _build(root: Path) -> BuildResult:
    result = build_site(root, options(skip_search=True))
    assert result.ok, result.errors
    return result


def _clean_tree(root: Path, where: Path) -> dict[str, bytes]:
    shutil.copytree(root, where, ignore=shutil.ignore_patterns("public", CACHE_DIR))
    assert build_site(where, options(skip_search=True, cache=False)).ok
    out = where / "public"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _tree(root: Path) -> dict[str, bytes]:
    out = root / "public"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + f"\n{text}\n")


def test_a_body_edit_rewrites_only_its_page(site: Path) -> None:
    _append(site / "content" / "posts" / "p03.md", "A second paragraph.")
    result = _build(site)
    assert result.patched and result.parsed == 1
    assert result.changed == ("posts/p03/index.html",)
    assert "A second paragraph." in (site / "public" / result.changed[0]).read_text()
    assert result.manifest is not None  # read from the patched file on demand
    assert result.manifest.files["posts/p03/index.html"].size == len(
        (site / "public" / "posts" / "p03" / "index.html").read_bytes()
    )
    assert _build(site).up_to_date


def test_editing_a_post_in_a_feed_rewrites_the_feeds_that_carry_it(site: Path) -> None:
    _append(site / "content" / "posts" / "p10.md", "Late news.")  # newest: site and tag feeds
    result = _build(site)
    assert result.patched
    assert set(result.changed) == {
        "posts/p10/index.html",
        "feed.xml",
        "feed.json",
        "tags/even/feed.xml",
    }
    assert "Late news." in (site / "public" / "feed.xml").read_text()


def test_a_change_other_pages_show_takes_the_normal_path(site: Path) -> None:
    path = site / "content" / "posts" / "p03.md"
    path.write_text(path.read_text().replace("First paragraph", "New summary"))
    result = _build(site)  # the summary is on the lists and the neighbours' pages
    assert not result.patched
    assert "index.html" in result.changed or "page/1/index.html" in result.changed


def test_a_new_file_beside_an_edit_takes_the_normal_path(site: Path) -> None:
    _append(site / "content" / "posts" / "p03.md", "More.")
    (site / "content" / "posts" / "p11.md").write_text(_post(11, "odd", "Eleven."))
    result = _build(site)
    assert not result.patched and "posts/p11/index.html" in result.changed


def test_a_hand_edited_page_is_not_patched_over(site: Path) -> None:
    page = site / "public" / "posts" / "p05" / "index.html"
    page.write_text("vandalised")
    _append(site / "content" / "posts" / "p03.md", "More.")
    result = _build(site)
    assert not result.patched
    assert page.read_text() != "vandalised"


def test_random_body_edits_match_a_clean_build(site: Path, tmp_path: Path) -> None:
    rng = random.Random(7)
    sources = sorted((site / "content").rglob("*.md"))
    quick = 0
    for step in range(12):
        path = rng.choice(sources)
        _append(path, " ".join(rng.choice(["alpha", "beta", "`code`", "**bold**"]) for _ in "abc"))
        before = tree_digest(site / "public")
        result = _build(site)
        quick += result.patched
        mine, theirs = _tree(site), _clean_tree(site, tmp_path / f"clean-{step}")
        assert mine == theirs, f"step {step}: {path.name} differs from a clean build"
        assert tree_digest(site / "public") != before
        again = _build(site)
        assert again.up_to_date and again.changed == ()
        time.sleep(0.001)  # a later edit gets a later mtime even on a coarse clock
    assert quick == 12


def test_an_edit_around_code_highlights_no_code_again(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder.markdown import highlight

    calls: list[str] = []
    real = highlight.highlight_code
    monkeypatch.setattr(
        highlight, "highlight_code", lambda code, info: calls.append(code) or real(code, info)
    )
    path = site / "content" / "posts" / "p04.md"
    _append(path, "Prose after the code.")
    assert _build(site).patched
    assert calls == []  # the block came from the last build's page, as it was
    page = (site / "public" / "posts" / "p04" / "index.html").read_text()
    assert '<div class="highlight">' in page and "Prose after the code." in page
    _append(path, "```python\nprint('new')\n```")
    _build(site)
    assert calls == ["print('new')\n"]  # only the new block


def test_a_code_block_warning_is_reported_after_every_edit(site: Path) -> None:
    path = site / "content" / "posts" / "p06.md"
    _append(path, "```nosuchlanguage\nx = 1\n```")
    first = _build(site)
    _append(path, "More prose.")
    second = _build(site)
    for result in (first, second):
        assert any("nosuchlanguage" in d.message for d in result.warnings)


def test_the_preview_servers_builds_take_the_quick_path_too(site: Path) -> None:
    memory: ParseCache = {}  # what `quire serve` keeps between builds
    first = build_site(site, options(skip_search=True), parse_cache=memory)
    _append(site / "content" / "posts" / "p02.md", "Seen in the preview.")
    result = build_site(site, options(skip_search=True), parse_cache=memory)
    assert first.ok and result.ok and result.patched
    assert result.changed == ("posts/p02/index.html",)
    assert len(memory) == 11  # every document, the edited one as it is now
