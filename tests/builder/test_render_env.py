"""The theme environment's quick escaping: pages must come out exactly as markupsafe's own
escaping makes them, with every character a title or name can bring escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from builder_testlib import AUTHORS_TOML, QUIRE_TOML, MakeSite, options, post
from markupsafe import Markup, escape

from builder.pipeline import build_site
from builder.render import env as render_env
from builder.render.html_escape import quick_escape

TRICKY = 'Tom & Jerry\'s <b>"best"</b> > rest'


class _Html:
    def __html__(self) -> str:
        return "<i>trusted</i>"


@pytest.mark.parametrize(
    "value",
    [
        TRICKY,
        "",
        "plain",
        "é — ü",
        "&amp;",
        Markup("<b>safe</b>"),
        42,
        -7,
        True,
        2.5,
        None,
        _Html(),
    ],
)
def test_quick_escape_matches_markupsafe(value: object) -> None:
    assert str(quick_escape(value)) == str(escape(value))


def _pages(root: Path) -> dict[str, bytes]:
    out = root / "public"
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*.html"))
        if p.is_file()
    }


def test_pages_match_markupsafe_escaping(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "content/posts/a.md": post(
            "'" + TRICKY.replace("'", "''") + "'",
            "2024-01-02",
            tags="['R&D', '<script>', \"it's\"]",
            authors="[ada]",
        ),
        "content/posts/b.md": post("Second & <last>", "2024-01-03", category="'Q&A'"),
    }
    authors = AUTHORS_TOML.replace("Ada Lovelace", 'Ada \\"<Countess>\\" & Co')
    quick = make_site(files, config=QUIRE_TOML, authors=authors, name="quick")
    plain = make_site(files, config=QUIRE_TOML, authors=authors, name="plain")
    assert build_site(quick, options(skip_search=True, cache=False)).ok
    monkeypatch.setattr(render_env, "quick_escape", escape)  # markupsafe's, as Jinja has it
    assert build_site(plain, options(skip_search=True, cache=False)).ok
    pages = _pages(quick)
    assert pages == _pages(plain)
    article = pages["posts/a/index.html"].decode()
    assert "Tom &amp; Jerry&#39;s &lt;b&gt;&#34;best&#34;&lt;/b&gt; &gt; rest</h1>" in article
    assert "Ada &#34;&lt;Countess&gt;&#34; &amp; Co</a>" in article
    assert "<script>" not in article
