"""Pagination anchored at the oldest posts: a new post rewrites only a few list pages."""

from __future__ import annotations

import pytest
from themekit import Rendered, find_all, html, make_site, post, render

from builder.render.pagination import paginate


def _ids(out: Rendered, path: str) -> list[str]:
    return [a.attrs["data-quire-count"] for a in find_all(html(out, path), "article")]


def _follow_older(out: Rendered, start: str) -> list[str]:
    """Read a list the way a reader does: from the landing page, keep clicking 'Older'."""
    seen: list[str] = []
    path: str | None = start
    while path is not None:
        for post_id in _ids(out, path):
            if post_id not in seen:
                seen.append(post_id)
        older = find_all(html(out, path), "a", class_="older")
        path = older[0].attrs["href"].lstrip("/") + "index.html" if older else None
    return seen


@pytest.mark.parametrize("total", [0, 1, 3, 4, 6, 7, 10])
def test_numbering_starts_at_the_oldest(total: int) -> None:
    posts = [post(n) for n in range(1, total + 1)]
    pagers = paginate([*make_site(posts).posts], 3, "/")
    landing, numbered = pagers[0], pagers[1:]
    assert [d.id for d in landing.posts] == [
        f"post-{n}" for n in range(total, max(total - 3, 0), -1)
    ]
    if total <= 3:
        assert numbered == [] and landing.older_url is None
        return
    assert [p.url for p in numbered] == [f"/page/{k}/" for k in range(1, len(numbered) + 1)]
    assert [d.id for d in numbered[0].posts] == ["post-3", "post-2", "post-1"]
    every = [d.id for p in numbered for d in reversed(p.posts)]
    assert every == [f"post-{n}" for n in range(1, total + 1)]
    assert numbered[-1].newer_url == "/"
    assert numbered[0].older_url is None


def test_home_shows_the_newest_and_older_links_reach_every_post_once() -> None:
    out = render(make_site([post(n) for n in range(1, 9)]))  # per_page = 3
    assert _ids(out, "index.html") == ["post-8", "post-7", "post-6"]
    assert _follow_older(out, "index.html") == [f"post-{n}" for n in range(8, 0, -1)]
    # Page 1 holds the three oldest posts.
    assert _ids(out, "page/1/index.html") == ["post-3", "post-2", "post-1"]
    assert find_all(html(out, "page/3/index.html"), "a", class_="newer")[0].attrs["href"] == "/"


def test_adding_a_post_changes_only_the_newest_list_pages_and_home() -> None:
    before = render(make_site([post(n, tags=["t"]) for n in range(1, 9)]))  # pages 1..3
    after = render(make_site([post(n, tags=["t"]) for n in range(1, 10)]))
    changed = {p for p in before.keys() & after.keys() if before[p].data != after[p].data}
    assert set(after) - set(before) == {"posts/post-9/index.html"}
    # Newest numbered pages (3) and landing pages of the home, tag and author lists; pages
    # 1 and 2 are untouched. Besides: the previous post (its "next" link), feeds, sitemap,
    # the post's year in the archive and the tag index (its count).
    assert changed == {
        "index.html",
        "page/3/index.html",
        "tags/t/index.html",
        "tags/t/page/3/index.html",
        "authors/ada/index.html",
        "authors/ada/page/3/index.html",
        "posts/post-8/index.html",
        "archive/2024/index.html",
        "tags/index.html",
        "feed.xml",
        "feed.json",
        "tags/t/feed.xml",
        "sitemap.xml",
    }


def test_a_post_that_opens_a_new_page_links_it_from_the_previous_one() -> None:
    before = render(make_site([post(n) for n in range(1, 10)]))  # pages 1..3, all full
    after = render(make_site([post(n) for n in range(1, 11)]))
    changed = {p for p in before if "page/" in p and before[p].data != after[p].data}
    assert changed == {"page/3/index.html", "authors/ada/page/3/index.html"}
    assert set(after) - set(before) >= {"page/4/index.html"}
    newer = find_all(html(after, "page/3/index.html"), "a", class_="newer")[0]
    assert newer.attrs["href"] == "/page/4/"
    assert _ids(after, "page/4/index.html") == ["post-10"]
    assert _follow_older(after, "index.html") == [f"post-{n}" for n in range(10, 0, -1)]


def test_tag_pages_are_paginated_the_same_way() -> None:
    out = render(make_site([post(n, tags=["t"]) for n in range(1, 8)]))
    assert _ids(out, "tags/t/index.html") == ["post-7", "post-6", "post-5"]
    assert _ids(out, "tags/t/page/1/index.html") == ["post-3", "post-2", "post-1"]
    assert _follow_older(out, "tags/t/index.html") == [f"post-{n}" for n in range(7, 0, -1)]
    links = find_all(html(out, "tags/t/page/2/index.html"), "link", rel="next")
    assert links[0].attrs["href"] == "/tags/t/page/1/"
