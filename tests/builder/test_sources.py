"""Loading files and the authors file: encodings, layout, and their error messages."""

from __future__ import annotations

import os
from pathlib import Path

from builder_testlib import MakeSite, options, post

from builder.authors import parse_authors
from builder.load import FINE_RACY_NS, RACY_NS, load_sources, stat_records
from builder.model import Author, Source
from builder.pipeline import build_site


def test_sources_are_found_sorted_and_normalised(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/2024/b.md": post("B"),
            "content/posts/a.md": post("A").replace("\n", "\r\n"),
            "content/about.md": "\ufeff---\ntitle: About\n---\n",
            "content/drafts/old.md": post("Old"),
            "content/posts/.hidden.md": post("Hidden"),
            "static/css/site.css": "body{}",
        }
    )
    sources, problems = load_sources(site)
    assert [s.path for s in sources.posts] == ["content/posts/2024/b.md", "content/posts/a.md"]
    assert [s.path for s in sources.pages] == ["content/about.md"]
    assert "\r" not in sources.posts[1].text
    assert sources.pages[0].text.startswith("---\n")  # byte order mark dropped
    assert sources.static_files == ("static/css/site.css",)
    assert sources.authors is not None and len(sources.posts[0].sha256) == 64
    assert [str(p) for p in problems] == [
        "warning: content/drafts/old.md: ignored: Markdown under content/ must be a post in "
        "content/posts/ or a page directly in content/ "
        "Move it, or rename it to end in something other than .md."
    ]


def test_files_that_are_not_utf8_are_errors(make_site: MakeSite) -> None:
    site = make_site({})
    path = site / "content/posts/latin1.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"---\ntitle: Caf\xe9\ndate: 2024-01-01\n---\n")
    _, problems = load_sources(site)
    assert [str(p) for p in problems] == [
        "error: content/posts/latin1.md:2: is not valid UTF-8 Save the file as UTF-8."
    ]


def _authors(text: str) -> tuple[dict[str, Author], list[str]]:
    authors, problems = parse_authors(Source("authors.toml", text, ""))
    return authors, [str(p) for p in problems]


def test_authors_file() -> None:
    authors, problems = _authors(
        '[ada]\nname = "Ada"\nbio = "Engines."\nlinks = { Site = "https://a.example" }\n'
    )
    assert problems == []
    assert authors == {
        "ada": Author(
            key="ada",
            name="Ada",
            bio="Engines.",
            links=(("Site", "https://a.example"),),
            url="/authors/ada/",
        )
    }


def test_authors_file_errors() -> None:
    _, problems = _authors(
        '["Ada Lovelace"]\nname = "A"\n\n[bob]\nbio = "no name"\n\n'
        '[eve]\nname = "Eve"\nlinks = { x = "javascript:alert(1)" }\n\n[dan]\nname = "D"\nage = 3\n'
        '\n[zoe]\nname = "Z"\navatar = "data:image/svg+xml,<svg onload=alert(1)>"\n'
    )
    assert problems == [
        "error: authors.toml:1: author key `Ada Lovelace` is not URL-safe "
        "Use lowercase letters, digits, `-` and `_` (it becomes /authors/<key>/).",
        'error: authors.toml:4: author `bob` has no `name` Add `name = "Full Name"` under [bob].',
        "error: authors.toml:7: author `eve`: `links` must map labels to http(s) URLs "
        'Write `links = { Website = "https://example.com" }`.',
        "error: authors.toml:11: author `dan` has unknown field(s): age "
        "Known fields: name, bio, avatar, links.",
        "error: authors.toml:15: author `zoe`: `avatar` is not an image URL "
        "Use e.g. /images/ada.png.",
    ]
    assert _authors("[ada\n")[1][0].startswith("error: authors.toml:1: not valid TOML")


def test_allow_html_site_setting_sanitises(make_site: MakeSite) -> None:
    body = 'Some <mark>marked</mark> text <img src="x" onerror="alert(1)"> <script>x()</script>'
    site = make_site(
        {"content/posts/a.md": post("A", body=body)},
        config='title = "T"\nallow_html = true\n',
    )
    result = build_site(site, options())
    assert result.ok
    html = (result.output_dir / "posts/a/index.html").read_text()
    assert "<mark>marked</mark>" in html
    assert "onerror" not in html and "x()</script>" not in html


def test_missing_config_is_a_clear_error(tmp_path: Path) -> None:
    result = build_site(tmp_path, options())
    assert [str(d) for d in result.errors] == [
        f"error: quire.toml: no quire.toml in {tmp_path} "
        "Is this a Quire site? Create one with `quire new site DIR`."
    ]


def test_a_file_is_trusted_by_its_stat_only_outside_the_timestamps_resolution(
    make_site: MakeSite,
) -> None:
    site = make_site({"content/posts/a.md": post("A")})
    path = site / "content/posts/a.md"
    first, _ = load_sources(site)
    records = stat_records(site, first)
    changed = max(path.stat().st_mtime_ns, path.stat().st_ctime_ns)

    def loaded(recorded_ns: int) -> bool:
        sources, _ = load_sources(site, records, recorded_ns=recorded_ns)
        return sources.posts[0].loaded

    # nanosecond timestamps: a record taken a clock tick or two after the change is enough
    assert not loaded(changed + FINE_RACY_NS + 1)
    assert loaded(changed + FINE_RACY_NS // 2)  # so close that a change could hide
    # whole-second timestamps (as some file systems keep them): a wider window
    whole = path.stat().st_mtime_ns // 1_000_000_000 * 1_000_000_000
    os.utime(path, ns=(whole, whole))
    records = stat_records(site, load_sources(site)[0])
    changed = max(path.stat().st_mtime_ns, path.stat().st_ctime_ns)
    assert loaded(changed + FINE_RACY_NS + 1)
    assert not loaded(changed + RACY_NS + 1)
