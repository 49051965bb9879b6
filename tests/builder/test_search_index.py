"""The search index (builder.search_index): made by every build, incrementally, and the
same as a build from scratch of the same site would make it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder import load, uptodate
from builder.pipeline import build_site
from builder.search_shards import SHARD_POSTINGS, decode_shard, layout
from tests.builder.builder_testlib import MakeSite, options, post

POSTS = {
    f"content/posts/p{i}.md": post(
        f"Post {i}",
        f"2024-01-{i + 1:02d}",
        f"Common words here.\n\nUnique{i} marker and lighthouse{i % 2}.",
        tags=f"[t{i % 3}]",
        authors="[ada]" if i % 2 else "[grace]",
    )
    for i in range(8)
}


def search_files(out: Path) -> dict[str, bytes]:
    root = out / "search"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.json"))}


def read_index(out: Path) -> dict[str, dict[str, int]]:
    """word -> page URL -> weight, as the reader would find it."""
    meta = json.loads((out / "search/meta.json").read_text(encoding="utf-8"))
    urls = {
        int(p.stem): json.loads(p.read_text(encoding="utf-8"))["u"]
        for p in (out / "search/d").glob("*.json")
    }
    index: dict[str, dict[str, int]] = {}
    for key in meta["shards"]:
        shard = decode_shard((out / f"search/t/{key}.json").read_bytes())
        for word, postings in shard.items():
            index[word] = {urls[i]: w for i, w in postings.items()}
    assert meta["n"] == len(urls)
    return index


def cold(site: Path, name: str) -> Path:
    out = site.parent / name
    assert build_site(site, options(output_dir=out, cache=False)).ok
    return out


def test_two_builds_of_the_same_site_write_the_same_index(make_site: MakeSite) -> None:
    site = make_site(POSTS)
    first, second = cold(site, "one"), cold(site, "two")
    assert search_files(first) == search_files(second)
    index = read_index(first)
    assert set(index["unique3"]) == {"/posts/p3/"}
    assert len(index["common"]) == 8


def test_an_edit_rewrites_only_what_holds_its_words(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # files edited moments before a build are re-read, and the quick path stays out of
    # play; these edits are trusted (as in test_quick_path)
    monkeypatch.setattr(load, "RACY_NS", 0)
    monkeypatch.setattr(load, "FINE_RACY_NS", 0)
    monkeypatch.setattr(uptodate, "FINE_RACY_NS", 0)
    site = make_site(POSTS)
    out = site / "public"
    assert build_site(site, options()).ok
    text = (site / "content/posts/p3.md").read_text(encoding="utf-8")
    (site / "content/posts/p3.md").write_text(
        text.replace("Unique3 marker", "Unicorn marker"), encoding="utf-8"
    )
    result = build_site(site, options())
    assert result.ok and result.patched  # the quick path, search included
    index_files = sorted(p for p in result.changed if p.startswith("search/"))
    doc_id = next(p.stem for p in (out / "search/d").glob("*.json") if "Unicorn" in p.read_text())
    assert index_files == [f"search/d/{doc_id}.json", "search/t/u.json"]
    assert search_files(out) == search_files(cold(site, "fresh"))
    index = read_index(out)
    assert "unique3" not in index and index["unicorn"].keys() == {"/posts/p3/"}


def test_new_and_deleted_posts_are_found_and_forgotten(make_site: MakeSite) -> None:
    site = make_site(POSTS)
    out = site / "public"
    assert build_site(site, options()).ok
    new = site / "content/posts/new.md"
    new.write_text(post("Fresh", "2024-02-01", "Quokka sighting.", tags="[t9]"), "utf-8")
    assert build_site(site, options()).ok
    assert read_index(out)["quokka"].keys() == {"/posts/new/"}
    assert search_files(out) == search_files(cold(site, "with-new"))
    (site / "content/posts/p2.md").unlink()
    new.unlink()
    result = build_site(site, options())
    assert result.ok
    index = read_index(out)
    assert "quokka" not in index and "unique2" not in index
    assert "/posts/p2/" not in index["common"]
    assert index == read_index(cold(site, "without"))
    meta = json.loads((out / "search/meta.json").read_text(encoding="utf-8"))
    assert "t9" not in {key for _, key, _ in meta["filters"]["t"]}
    assert not (out / "search/f/t-t9.json").exists()


def test_no_search_keeps_the_index_and_the_next_build_catches_up(make_site: MakeSite) -> None:
    site = make_site(POSTS)
    out = site / "public"
    assert build_site(site, options()).ok
    page = site / "content/posts/p1.md"
    page.write_text(page.read_text("utf-8").replace("Unique1", "Narwhal"), "utf-8")
    kept = build_site(site, options(search_index=False, skip_search=True))
    assert kept.ok and "unique1" in read_index(out) and "narwhal" not in read_index(out)
    assert build_site(site, options()).ok
    assert "narwhal" in read_index(out) and "unique1" not in read_index(out)
    assert search_files(out) == search_files(cold(site, "fresh"))


def test_a_large_prefix_is_split_so_shards_stay_small() -> None:
    half = SHARD_POSTINGS // 20  # words of 10 postings each: half the limit under co0, co1
    df = {f"co{i:04d}": 10 for i in (*range(half), *range(1000, 1000 + half))}
    df |= {"co": 3, "cat": 1}
    placed = layout(df)
    assert placed["cat"] == "ca" and placed["co"] == "co"
    assert {placed["co0001"], placed["co1000"]} == {"co0", "co1"}
