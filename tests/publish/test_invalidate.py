"""Invalidation paths: both forms of a page, folding into wildcards, CloudFront's limits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.publish.invalidate import fold_paths, url_paths


def _site(n_posts: int, n_pages: int = 0) -> list[str]:
    keys = ["index.html", "atom.xml", "sitemap.xml", "404.html"]
    keys += [f"posts/p{i:04d}/index.html" for i in range(n_posts)]
    keys += [f"page/{i}/index.html" for i in range(2, n_pages + 2)]
    keys += [f"tags/t{i}/index.html" for i in range(20)]
    return url_paths(keys)


def test_a_page_is_invalidated_in_both_forms() -> None:
    assert url_paths(["posts/a/index.html"]) == ["/posts/a/", "/posts/a/index.html"]
    assert url_paths(["index.html"]) == ["/", "/index.html"]
    assert url_paths(["atom.xml", "404.html"]) == ["/404.html", "/atom.xml"]
    assert url_paths(["posts/a/photo.jpg"]) == ["/posts/a/photo.jpg"]
    # "xindex.html" is not a folder page.
    assert url_paths(["posts/xindex.html"]) == ["/posts/xindex.html"]


def test_few_changes_stay_exact() -> None:
    universe = _site(2000)
    paths = url_paths(["posts/p0007/index.html", "index.html", "atom.xml", "tags/t3/index.html"])
    assert fold_paths(paths, universe, max_paths=300) == sorted(paths)


def test_a_mostly_changed_folder_folds_into_one_wildcard() -> None:
    universe = _site(200, n_pages=100)
    changed = url_paths([f"page/{i}/index.html" for i in range(2, 102)] + ["index.html"])
    assert fold_paths(changed, universe, max_paths=300) == ["/", "/index.html", "/page/*"]
    # When most of the whole site changed, one root wildcard is cheapest.
    small = _site(50, n_pages=100)
    assert fold_paths(changed, small, max_paths=300) == ["/*"]


def test_a_folder_with_few_changes_is_not_wildcarded() -> None:
    # 30 of 2,000 posts changed: /posts/* would flush 1,970 unchanged posts from the CDN.
    universe = _site(2000)
    changed = url_paths([f"posts/p{i:04d}/index.html" for i in range(0, 300, 10)])
    assert fold_paths(changed, universe, max_paths=300) == sorted(changed)


def test_over_the_path_budget_folds_more() -> None:
    universe = _site(2000)
    changed = url_paths([f"posts/p{i:04d}/index.html" for i in range(0, 2000, 10)])  # 400
    folded = fold_paths(changed, universe, max_paths=300)
    assert folded == ["/posts/*"]
    assert fold_paths(changed, universe, max_paths=1000) == sorted(changed)


def test_wildcard_budget_merges_folders_under_their_parent() -> None:
    # 20 sections each mostly changed: 20 wildcards > 15, so they merge upward.
    # /docs/ also holds 30 unchanged sections, so at first only the sections qualify.
    keys = [f"docs/s{s:02d}/p{i}/index.html" for s in range(50) for i in range(10)]
    universe = url_paths(keys + ["index.html"] + [f"blog/{i}/index.html" for i in range(900)])
    changed = url_paths(keys[:200])
    assert fold_paths(changed, universe, max_paths=3000, max_wildcards=20) == [
        f"/docs/s{s:02d}/*" for s in range(20)
    ]
    assert fold_paths(changed, universe, max_paths=3000) == ["/docs/*"]
    few = fold_paths(changed, universe, max_paths=3000, max_wildcards=15, fold_min=10)
    assert sum(p.endswith("*") for p in few) <= 15
    # With no wildcard budget left (15 in progress), exact paths are used when they fit.
    exact = fold_paths(changed, universe, max_paths=3000, max_wildcards=0)
    assert exact == sorted(changed)


def test_wildcards_count_within_budget_not_just_total() -> None:
    keys = [f"s{s:02d}/p{i}/index.html" for s in range(20) for i in range(6)]
    universe = url_paths(keys)
    changed = url_paths(keys)  # 240 paths in 20 top-level folders
    folded = fold_paths(changed, universe, max_paths=100, max_wildcards=15)
    assert len(folded) <= 100 and sum(p.endswith("*") for p in folded) <= 15
    assert folded == ["/*"]  # all of the site changed: one wildcard is cheapest


def test_everything_changed_is_a_single_root_wildcard() -> None:
    universe = _site(100)
    assert fold_paths(universe, universe, max_paths=300) == ["/*"]


def test_impossible_budget_falls_back_to_root_wildcard() -> None:
    universe = _site(100)
    changed = url_paths(["posts/p0001/index.html"])
    assert fold_paths(changed, universe, max_paths=1) == ["/posts/p0001/*"]
    assert fold_paths(["/atom.xml", "/sitemap.xml"], universe, max_paths=1) == ["/*"]


def test_nothing_changed_invalidates_nothing() -> None:
    assert fold_paths([], _site(10), max_paths=300) == []


def test_fold_covers_every_changed_path() -> None:
    universe = _site(500, n_pages=50)
    changed = url_paths(
        [f"posts/p{i:04d}/index.html" for i in range(0, 500, 3)]
        + [f"page/{i}/index.html" for i in range(2, 52)]
        + ["index.html", "atom.xml"]
    )
    for budget in (3000, 300, 50, 5, 2):
        folded = fold_paths(changed, universe, max_paths=budget)
        assert len(folded) <= budget
        for path in changed:
            assert any(
                path == p or (p.endswith("*") and path.startswith(p[:-1])) for p in folded
            ), (budget, path, folded)


_segment = st.sampled_from(["a", "b", "c", "posts", "tags", "page", "x1", "y2"])
_key = st.builds(
    lambda parts, leaf: "/".join([*parts, leaf]),
    st.lists(_segment, min_size=0, max_size=3),
    st.sampled_from(["index.html", "feed.xml", "f.json"]),
)


@settings(max_examples=150, deadline=None)
@given(
    site=st.sets(_key, min_size=1, max_size=60),
    data=st.data(),
    max_paths=st.integers(min_value=1, max_value=80),
    max_wildcards=st.integers(min_value=1, max_value=15),
)
def test_folding_always_covers_and_fits(
    site: set[str], data: st.DataObject, max_paths: int, max_wildcards: int
) -> None:
    changed_keys = data.draw(st.sets(st.sampled_from(sorted(site)), min_size=1))
    universe = url_paths(site)
    changed = url_paths(changed_keys)
    folded = fold_paths(changed, universe, max_paths=max_paths, max_wildcards=max_wildcards)
    assert 1 <= len(folded) <= max(max_paths, 1)
    assert sum(p.endswith("*") for p in folded) <= max_wildcards
    for path in changed:
        assert any(path == p or (p.endswith("*") and path.startswith(p[:-1])) for p in folded)
    # Never more entries than the exact list: folding only ever saves paths.
    assert len(folded) <= len(changed)
