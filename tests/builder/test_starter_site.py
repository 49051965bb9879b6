"""The starter site from content_templates/ builds cleanly and shows every feature it promises."""

from __future__ import annotations

from pathlib import Path

from builder_testlib import options

from builder.cli.scaffold import new_site
from builder.pipeline import BuildResult, build_site


def _build(tmp_path: Path, **kwargs: object) -> BuildResult:
    site = new_site(tmp_path / "starter", title="Starter")
    result = build_site(site, options(**kwargs))
    assert result.ok and result.diagnostics == (), [str(d) for d in result.diagnostics]
    return result


def test_starter_site_shows_every_feature(tmp_path: Path) -> None:
    result = _build(tmp_path)
    out = result.output_dir
    tour = (out / "posts/markdown-tour/index.html").read_text()
    assert "<table>" in tour and '<th style="text-align:right">Moons</th>' in tour
    assert 'class="footnote-ref"' in tour and 'class="footnotes"' in tour
    assert 'class="task-list-item-checkbox"' in tour
    assert "<dt>Front matter</dt>" in tour
    assert '<div class="admonition note">' in tour and '<div class="admonition warning">' in tour
    assert 'class="heading-anchor" href="#lists"' in tour
    assert '<a href="#admonitions">' in tour  # the table of contents (toc: true)
    code = (out / "posts/highlighting-code/index.html").read_text()
    assert '<td class="linenos">' in code and '<span class="hll">' in code
    welcome = (out / "posts/welcome/index.html").read_text()
    assert 'alt="Dark blue mountains under a yellow sun"' in welcome
    assert "Ada Lovelace" in welcome and "Grace Hopper" in welcome  # two authors
    assert (out / "images/cover.svg").is_file()
    assert (out / "2024/03/markdown.html").is_file()  # an alias redirect
    assert (out / "tags/quire/index.html").is_file()
    assert (out / "categories/guides/index.html").is_file()
    assert (out / "series/getting-started/index.html").is_file()
    assert (out / "about/index.html").is_file()
    assert not (out / "posts/unfinished-ideas").exists()  # the draft
    assert result.site is not None
    assert result.site.posts[-1].extra == {"reading_mood": "calm"}  # unknown keys reach themes


def test_starter_site_draft_is_shown_with_drafts(tmp_path: Path) -> None:
    result = _build(tmp_path, drafts=True)
    assert (result.output_dir / "posts/unfinished-ideas/index.html").is_file()
