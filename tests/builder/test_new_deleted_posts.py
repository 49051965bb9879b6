"""New and deleted posts: an incremental build gives exactly a clean build's output, and
rewrites (and fingerprints) only the few pages a post joining or leaving the lists reaches.

Companion of test_incremental.py's random edits, with the cases that move lists chosen on
purpose: the newest post, one in the middle by date, one with tags no other post has,
and deleting the only post of a tag.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from builder_testlib import options, tree_digest

from builder import incremental
from builder.cache import CACHE_DIR
from builder.pipeline import BuildResult, build_site
from builder.render import related as render_related

CONFIG = 'title = "N"\nbase_url = "https://n.example.com"\nper_page = 3\nfeed_items = 2\n'
TAGS = ("red", "green", "blue")


def _post(title: str, day: str, tags: str, series: bool = False) -> str:
    more = "series: Deep dive\n" if series else ""
    return f"---\ntitle: {title}\ndate: {day}\ntags: [{tags}]\n{more}---\n\n{title} body.\n"


def _build(root: Path) -> BuildResult:
    result = build_site(root, options(skip_search=True))
    assert result.ok, result.errors
    return result


def _site(root: Path, count: int, per_page: int = 3) -> Path:
    """`count` posts, one a day from 2023-01-01, in rotating tags, some in a series."""
    posts = root / "content" / "posts"
    posts.mkdir(parents=True)
    (root / "quire.toml").write_text(CONFIG.replace("per_page = 3", f"per_page = {per_page}"))
    (root / "content" / "about.md").write_text("---\ntitle: About\n---\n\nUs.\n")
    for n in range(count):
        day = f"{2023 + n // 336}-{n // 28 % 12 + 1:02d}-{n % 28 + 1:02d}"
        tags = f"{TAGS[n % 3]}, {TAGS[(n + 1) % 3]}" if n % 4 else TAGS[n % 3]
        (posts / f"p{n:03d}.md").write_text(_post(f"Post {n}", day, tags, n % 5 == 0))
    _build(root)
    return root


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _clean(root: Path, where: Path) -> dict[str, bytes]:
    shutil.copytree(root, where, ignore=shutil.ignore_patterns("public", CACHE_DIR))
    assert build_site(where, options(skip_search=True, cache=False)).ok
    return _tree(where / "public")


def _add(name: str, day: str, tags: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / "content" / "posts" / name).write_text(_post(f"New {name}", day, tags))

    return change


def _delete(name: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / "content" / "posts" / name).unlink()

    return change


CHANGES = {
    "newest post": _add("new.md", "2024-06-01", "red"),
    "newest post, new page": _add("new.md", "2024-06-01", "red, green"),
    "post in the middle by date": _add("mid.md", "2023-01-10", "green, blue"),
    "post with new tags": _add("new.md", "2023-01-20", "violet, C++"),
    "oldest post": _add("old.md", "2022-12-01", "blue"),
    "deleted newest": _delete("p023.md"),
    "deleted in the middle": _delete("p010.md"),
    "deleted oldest": _delete("p000.md"),
}


@pytest.mark.parametrize("window", [12, 1])
@pytest.mark.parametrize("what", sorted(CHANGES))
def test_a_new_or_deleted_post_matches_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str, window: int
) -> None:
    monkeypatch.setattr(render_related, "RELATED_WINDOW", window)  # 1: some neighbours only
    root = _site(tmp_path / "site", 24)
    CHANGES[what](root)
    _build(root)
    assert _tree(root / "public") == _clean(root, tmp_path / "clean"), what
    before = tree_digest(root / "public")
    assert _build(root).changed == ()
    assert tree_digest(root / "public") == before


@pytest.mark.parametrize(("seed", "window"), [(1, 12), (2, 1), (3, 2)])
def test_random_posts_added_and_deleted_match_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, window: int
) -> None:
    monkeypatch.setattr(render_related, "RELATED_WINDOW", window)
    rng = random.Random(seed)
    root = _site(tmp_path / "site", 16)
    posts = root / "content" / "posts"
    for step in range(8):
        names = sorted(p.name for p in posts.glob("*.md"))
        for _ in range(rng.randint(1, 2)):  # one or two posts at once
            if rng.random() < 0.5 and len(names) > 4:
                name = names.pop(rng.randrange(len(names)))
                _delete(name)(root)
            else:
                day = f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                tags = ", ".join(rng.sample([*TAGS, "new", "rare"], rng.randint(0, 2)))
                name = f"r{step}-{rng.randrange(1000)}.md"
                _add(name, day, tags)(root)
                names.append(name)
        _build(root)
        clean = _clean(root, tmp_path / f"clean-{step}")
        assert _tree(root / "public") == clean, f"step {step}"


def test_deleting_the_only_post_of_a_tag_removes_its_pages(tmp_path: Path) -> None:
    root = _site(tmp_path / "site", 24)
    _add("lone.md", "2023-01-15", "lonely")(root)
    _build(root)
    assert (root / "public" / "tags" / "lonely" / "index.html").is_file()
    _delete("lone.md")(root)
    result = _build(root)
    assert "tags/lonely/index.html" in result.removed
    assert "posts/lone/index.html" in result.removed
    assert "lonely" not in (root / "public" / "tags" / "index.html").read_text()
    assert _tree(root / "public") == _clean(root, tmp_path / "clean")


def _fingerprints(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the pages whose fingerprint a build works out (one sha256 over their inputs
    each): the work a build does to find what changed, besides rendering it."""
    calls = [0]
    original = incremental.Reuse.fingerprint

    def counted(self: incremental.Reuse, inputs: object) -> str:
        calls[0] += 1
        return original(self, inputs)  # type: ignore[arg-type]

    monkeypatch.setattr(incremental.Reuse, "fingerprint", counted)
    return calls


@pytest.mark.parametrize(
    ("change", "most"),
    [
        (_add("new.md", "2023-12-01", "red"), 120),  # 361 before
        # a deleted post's tags' other posts are all checked: which of them had it in
        # their related-posts window is not known (358 before)
        (_delete("p296.md"), 250),
    ],
)
def test_a_new_or_deleted_post_at_hundreds_of_posts_touches_a_few_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Path], None], most: int
) -> None:
    root = _site(tmp_path / "site", 300, per_page=5)  # 60 home pages, 35 to 45 per tag
    calls = _fingerprints(monkeypatch)
    change(root)
    result = _build(root)
    assert len(result.changed) < 15, result.changed
    assert len(result.removed) <= 2, result.removed  # a deleted post's page (and a page/N)
    # the older numbered pages of its lists and the untouched lists are not looked at again
    assert calls[0] < most, calls[0]
