"""Which links order the uploads: relative and absolute ones, to new files only."""

from __future__ import annotations

from pathlib import Path

from builder.publish.headers import headers_for
from builder.publish.order import upload_groups
from builder.publish.plan import Upload


def _groups(
    tmp_path: Path,
    files: dict[str, tuple[str, str]],
    *,
    replaced: tuple[str, ...] = (),
    base_url: str = "https://blog.example.com",
    articles: frozenset[str] = frozenset(),
) -> list[list[str]]:
    uploads = []
    for key, (text, kind) in sorted(files.items()):
        path = tmp_path / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        headers = headers_for(key, kind, len(text), precompress=False)
        uploads.append(Upload(key, kind, "0" * 64, len(text), headers, key in replaced))
    return [
        sorted(u.key for u in batch)
        for _name, batch in upload_groups(uploads, tmp_path, base_url=base_url, articles=articles)
    ]


def test_relative_links_and_a_base_path_are_followed(tmp_path: Path) -> None:
    files = {
        "posts/a/index.html": ('<img srcset="pic.png 1x, ../../img/b.png 2x">', "html"),
        "posts/a/pic.png": ("png", "static"),
        "img/b.png": ("png", "static"),
        "index.html": ("<a href=posts/a/>a</a>", "html"),  # unquoted, relative
        "tags/x/index.html": ('<a href="https://blog.example.com/blog/posts/a">a</a>', "html"),
    }
    groups = _groups(tmp_path, files, base_url="https://blog.example.com/blog/")
    assert groups == [
        ["img/b.png", "posts/a/pic.png"],
        ["posts/a/index.html"],
        ["index.html", "tags/x/index.html"],
    ]


def test_links_to_replaced_files_and_other_sites_do_not_order(tmp_path: Path) -> None:
    files = {
        "index.html": ('<a href="/posts/a/">a</a><a href="https://else.example/p/">', "html"),
        "posts/a/index.html": ("<p>edited", "html"),
        "p/index.html": ("<p>new", "html"),
    }
    assert _groups(tmp_path, files, replaced=("posts/a/index.html",)) == [
        ["index.html", "p/index.html", "posts/a/index.html"]
    ]


def test_new_pages_linking_each_other_share_a_group(tmp_path: Path) -> None:
    files = {
        "posts/a/index.html": ('<a href="/posts/b/">next</a>', "html"),
        "posts/b/index.html": ('<a href="/posts/a/">previous</a>', "html"),
        "index.html": ('<a href="/posts/a/">a</a><a href="/posts/b/">b</a>', "html"),
        "sitemap.xml": ("<loc>https://blog.example.com/</loc>", "meta"),
    }
    assert _groups(tmp_path, files) == [
        ["posts/a/index.html", "posts/b/index.html"],
        ["index.html"],
        ["sitemap.xml"],
    ]


def test_in_a_cycle_articles_go_before_the_lists_that_link_them(tmp_path: Path) -> None:
    # A first publish: every page links home and to the feed, which list the posts.
    nav = '<a href="/">home</a><a href="/feed.xml">feed</a>'
    files = {
        "index.html": (nav + '<a href="/posts/a/">a</a><a href="/posts/b/">b</a>', "html"),
        "posts/a/index.html": (
            nav + '<a href="/posts/b/">next</a><a href="/tags/t/">t</a>',
            "html",
        ),
        "posts/b/index.html": (nav + '<a href="/posts/a/">previous</a>', "html"),
        "tags/t/index.html": (nav + '<a href="/posts/a/">a</a><a href="/tags/t/feed.xml">', "html"),
        "tags/t/feed.xml": ("<link href='https://blog.example.com/posts/a/'/>", "feed"),
        "feed.xml": ("<link href='/posts/a/'/><link href='/posts/b/'/>", "feed"),
    }
    articles = frozenset({"posts/a/index.html", "posts/b/index.html"})
    assert _groups(tmp_path, files, articles=articles) == [
        ["posts/a/index.html", "posts/b/index.html"],  # they link each other: together
        ["index.html"],
        ["feed.xml", "tags/t/feed.xml", "tags/t/index.html"],  # the tag page links home
    ]
