"""Broken internal links and missing images are build warnings naming file and line, and
the check changes no output (issue 19)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from builder_testlib import MakeSite, options, post
from typer.testing import CliRunner

from builder import load, uptodate
from builder.cli import app
from builder.pipeline import build_site

BODY = """\
Fine: [about](/about/), [home](https://blog.example.com/), [tag](/tags/),
[self](./), [feed](/feed.xml), ![ok](/images/ok.png) and [out](https://elsewhere.example/x).

See [the old post](/posts/gone/#part) for more.

![a chart](/images/missing-chart.png)

[relative](../nowhere/)
"""


def _site(make_site: MakeSite) -> Path:
    return make_site(
        {
            "content/posts/links.md": post(title="Links", body=BODY, tags="[news]"),
            "content/about.md": "---\ntitle: About\n---\n\nSee [links](/posts/links/).\n",
            "static/images/ok.png": "png",
        }
    )


def test_broken_internal_links_and_missing_images_are_warned_with_file_and_line(
    make_site: MakeSite,
) -> None:
    site = _site(make_site)
    result = build_site(site, options(skip_search=True))
    assert result.ok, result.diagnostics
    found = sorted(str(w) for w in result.warnings)
    assert found == [
        "warning: content/posts/links.md:10: links to /posts/gone/#part, which no page or "
        "file of the site provides. Fix the link, or add the page it points to.",
        "warning: content/posts/links.md:12: shows the image /images/missing-chart.png, "
        "which is not in the site. Add the file under static/, or fix the path.",
        "warning: content/posts/links.md:14: links to ../nowhere/, which no page or file "
        "of the site provides. Fix the link, or add the page it points to.",
    ], found
    # A rebuild from the cache (nothing parsed again) reports them again.
    again = build_site(site, options(skip_search=True))
    assert again.parsed == 0 and sorted(str(w) for w in again.warnings) == found


def test_quire_build_reports_them(make_site: MakeSite) -> None:
    site = _site(make_site)
    result = CliRunner().invoke(app, ["build", str(site)])
    assert result.exit_code == 0, result.output
    assert "content/posts/links.md:12: shows the image /images/missing-chart.png" in result.output


def test_a_missing_cover_image_is_warned_until_the_file_is_added(make_site: MakeSite) -> None:
    cover = "\n  src: /images/no-cover.png\n  alt: A cover"
    site = make_site({"content/posts/c.md": post(title="C", cover=cover)})
    result = build_site(site, options())
    assert [str(w) for w in result.warnings] == [
        "warning: content/posts/c.md:4: shows the image /images/no-cover.png, which is not "
        "in the site. Add the file under static/, or fix the path."
    ]
    (site / "static" / "images").mkdir(parents=True)
    (site / "static" / "images" / "no-cover.png").write_bytes(b"png")
    assert build_site(site, options()).warnings == ()


def test_the_quick_path_warns_too(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    # Edits between builds: trust their stat, as tests/builder/test_quick_path.py does.
    monkeypatch.setattr(load, "RACY_NS", 0)
    monkeypatch.setattr(load, "FINE_RACY_NS", 0)
    monkeypatch.setattr(uptodate, "FINE_RACY_NS", 0)
    site = _site(make_site)
    path = site / "content" / "posts" / "links.md"
    path.write_text(post(title="Links", body="Intro.\n\nSee [about](/about/).", tags="[news]"))
    assert build_site(site, options(skip_search=True)).warnings == ()
    time.sleep(0.01)  # a later edit gets a later mtime even on a coarse clock
    path.write_text(post(title="Links", body="Intro.\n\nSee [about](/about-us/).", tags="[news]"))
    edited = build_site(site, options(skip_search=True))
    assert edited.patched
    assert [str(w) for w in edited.warnings] == [
        "warning: content/posts/links.md:9: links to /about-us/, which no page or file of "
        "the site provides. Fix the link, or add the page it points to."
    ]


def test_absolute_links_are_checked_only_when_they_name_the_site(make_site: MakeSite) -> None:
    body = (
        "[own, broken](https://blog.example.com/posts/none/), [own](https://blog.example.com/about/),"
        " [lookalike](https://blog.example.com.evil/posts/none/), [other](http://x.example/none/)"
    )
    site = make_site(
        {
            "content/posts/abs.md": post(title="Abs", body=body),
            "content/about.md": "---\ntitle: About\n---\n\nUs.\n",
        }
    )
    result = build_site(site, options(skip_search=True))
    assert [str(w) for w in result.warnings] == [
        "warning: content/posts/abs.md:6: links to https://blog.example.com/posts/none/, which "
        "no page or file of the site provides. Fix the link, or add the page it points to."
    ]
