"""Incremental builds give exactly the output of a clean build, and touch only what changed.

A seeded random sequence of edits (body, title, date, tags, author, series, draft; add,
delete and rename posts; a template; a setting; the authors file) is applied to a site.
After each edit the site is rebuilt incrementally (with its .quire-cache and previous
output) and a copy of its inputs is built from nothing; the two output trees, manifest
included, must be byte-identical. Each step also checks that a second rebuild with no
change writes nothing.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from builder_testlib import AUTHORS_TOML, NOW, options, tree_digest

from builder import load, uptodate
from builder.cache import CACHE_DIR
from builder.pipeline import BuildResult, build_site
from builder.render import related as render_related
from builder.themes import resolve_theme

TAGS = ["python", "rust", "web", "ops", "data", "C++"]
WORDS = ["alpha", "beta", "gamma", "delta", "code", "cache", "build", "page", "list", "tag"]
FIELDS = ["body", "title", "date", "tags", "author", "series", "draft", "alias"]
CONFIG = """\
title = "{title}"
base_url = "https://blog.example.com"
per_page = {per_page}
feed_items = 4
theme = "mine"
"""


class Site:
    """A small site whose posts are edited at random (deterministically, from a seed)."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng = root, rng
        self.title, self.per_page = "Random Blog", 3
        self.posts: dict[str, dict[str, object]] = {}
        self.counter = 0
        root.mkdir()
        shutil.copytree(resolve_theme("default", root), root / "themes" / "mine")
        (root / "authors.toml").write_text(AUTHORS_TOML, encoding="utf-8")
        (root / "content").mkdir()
        (root / "content" / "about.md").write_text("---\ntitle: About\n---\n\nUs.\n")
        for _ in range(9):
            self.add()
        self.save_config()

    def save_config(self) -> None:
        text = CONFIG.format(title=self.title, per_page=self.per_page)
        (self.root / "quire.toml").write_text(text, encoding="utf-8")

    def path(self, name: str) -> Path:
        return self.root / "content" / "posts" / f"{name}.md"

    def write(self, name: str) -> None:
        fm = self.posts[name]
        lines = [f"title: {fm['title']}", f"date: {fm['date']}"]
        lines.append(f"tags: [{', '.join(fm['tags'])}]")  # type: ignore[arg-type]
        lines.append(f"authors: [{fm['author']}]")
        if fm["series"]:
            lines.append("series: Deep dive")
        if fm["draft"]:
            lines.append("draft: true")
        if fm["alias"]:
            lines.append(f"aliases: [/old/{name}/]")
        text = "---\n" + "\n".join(lines) + "\n---\n\n" + str(fm["body"]) + "\n"
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n))

    def date(self) -> str:
        return f"2024-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    # -- the edits ----------------------------------------------------------------------
    def add(self) -> str:
        self.counter += 1
        name = f"post-{self.counter}"
        self.posts[name] = {
            "title": self.words(3).title(),
            "date": self.date(),
            "tags": self.rng.sample(TAGS, self.rng.randint(0, 3)),
            "author": self.rng.choice(["ada", "grace"]),
            "series": self.rng.random() < 0.3,
            "draft": False,
            "alias": False,
            "body": self.words(30) + "\n\n```python\nprint('hi')\n```",
        }
        self.write(name)
        return f"add {name}"

    def pick(self) -> str:
        return self.rng.choice(sorted(self.posts))

    def edit(self) -> str:
        name = self.pick()
        fm = self.posts[name]
        field = self.rng.choice(
            ["body", "title", "date", "tags", "author", "series", "draft", "alias"]
        )
        if field == "body":
            fm["body"] = str(fm["body"]) + "\n\n" + self.words(8)
        elif field == "title":
            fm["title"] = self.words(2).title()
        elif field == "date":
            fm["date"] = self.date()
        elif field == "tags":
            fm["tags"] = self.rng.sample(TAGS, self.rng.randint(0, 3))
        elif field == "author":
            fm["author"] = "grace" if fm["author"] == "ada" else "ada"
        else:
            fm[field] = not fm[field]
        self.write(name)
        return f"{field} of {name}"

    def delete(self) -> str:
        name = self.pick()
        self.path(name).unlink()
        del self.posts[name]
        return f"delete {name}"

    def rename(self) -> str:
        name = self.pick()
        self.counter += 1
        new = f"post-{self.counter}"
        self.path(name).rename(self.path(new))
        self.posts[new] = self.posts.pop(name)
        return f"rename {name} -> {new}"

    def template(self) -> str:
        template = self.root / "themes" / "mine" / "templates" / "base.html"
        text = template.read_text(encoding="utf-8")
        template.write_text(text.replace("</body>", f"<!-- {self.words(1)} -->\n</body>", 1))
        return "template"

    def setting(self) -> str:
        if self.rng.random() < 0.5:
            self.per_page = self.rng.randint(2, 4)
        else:
            self.title = self.words(2).title()
        self.save_config()
        return "setting"

    def authors(self) -> str:
        extra = f'\n[ada.links]\nSite = "https://example.com/{self.words(1)}"\n'
        (self.root / "authors.toml").write_text(AUTHORS_TOML + extra, encoding="utf-8")
        return "authors"

    def step(self) -> str:
        ops = [self.edit] * 6 + [self.add, self.rename, self.template, self.setting]
        ops += [self.authors]
        if len(self.posts) > 4:
            ops.append(self.delete)
        return self.rng.choice(ops)()


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _clean_build(site: Path, where: Path) -> Path:
    if where.exists():
        shutil.rmtree(where)
    shutil.copytree(site, where, ignore=shutil.ignore_patterns("public", CACHE_DIR))
    result = build_site(where, options(skip_search=True, cache=False))
    assert result.ok, result.errors
    return where / "public"


def _build(site: Path) -> BuildResult:
    result = build_site(site, options(skip_search=True))
    assert result.ok, result.errors
    return result


@pytest.mark.parametrize(
    ("seed", "trust_stat", "window"),
    [(1, False, 12), (2, False, 12), (3, True, 12), (4, True, 12), (5, False, 1), (6, True, 2)],
)
def test_random_edits_match_a_clean_build(
    tmp_path: Path, seed: int, trust_stat: bool, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a related-posts window narrower than the lists: a list change then reaches some of
    # their posts and not others (at 12, every post of these small lists is in every window)
    monkeypatch.setattr(render_related, "RELATED_WINDOW", window)
    if trust_stat:
        # files edited within seconds of a build are normally re-read anyway, and a build
        # moments after one does not trust the up-to-date stamp: that takes the quick path
        # for body edits (builder.quick) out of play in a fast test
        monkeypatch.setattr(load, "RACY_NS", 0)
        monkeypatch.setattr(load, "FINE_RACY_NS", 0)
        monkeypatch.setattr(uptodate, "FINE_RACY_NS", 0)
    rng = random.Random(seed)
    site = Site(tmp_path / "site", rng)
    _build(site.root)
    for number in range(16):
        what = site.step()
        result = _build(site.root)
        clean = _clean_build(site.root, tmp_path / "clean")
        mine, theirs = _tree(site.root / "public"), _tree(clean)
        differing = sorted(p for p in set(mine) | set(theirs) if mine.get(p) != theirs.get(p))
        assert not differing, f"step {number} ({what}): differs from a clean build: {differing}"
        assert set(result.changed) <= set(mine)
        before = tree_digest(site.root / "public")
        again = _build(site.root)
        assert again.changed == () and again.removed == (), f"step {number} ({what})"
        assert again.parsed == 0
        assert tree_digest(site.root / "public") == before  # not even an mtime moved


def _post(title: str, date: str, tags: str, body: str = "Body.") -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntags: [{tags}]\n---\n\n{body}\n"


def _site(root: Path, settings: str, posts: dict[str, str]) -> Path:
    """A site at `root` with these quire.toml `settings` and posts (file name -> text)."""
    folder = root / "content" / "posts"
    folder.mkdir(parents=True)
    (root / "quire.toml").write_text(f'title = "B"\nbase_url = "https://b.example.com"\n{settings}')
    for name, text in posts.items():
        (folder / name).write_text(text)
    return root


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    """Twelve posts, two tags, small pages: enough for pagination and neighbours."""
    posts = {
        f"p{n:02d}.md": _post(f"Post {n}", f"2024-01-{n:02d}", "odd" if n % 2 else "even")
        for n in range(1, 13)
    }
    root = _site(tmp_path / "blog", "per_page = 4\nfeed_items = 3\n", posts)
    _build(root)
    return root


def test_editing_one_body_rewrites_only_that_post(blog: Path) -> None:
    path = blog / "content" / "posts" / "p05.md"
    path.write_text(path.read_text() + "\nOne more sentence.\n")
    result = _build(blog)
    assert result.parsed == 1
    # the summary (first paragraph) did not change, so neighbours and lists keep their bytes
    assert result.changed == ("posts/p05/index.html",)
    # ... and are not even rendered: only the post's own page is (plus the theme's assets,
    # which every build that is not up to date makes)
    assets = sum(1 for p in (blog / "public" / "assets").rglob("*") if p.is_file())
    assert result.rendered == assets + 1


def test_editing_a_title_rewrites_the_pages_that_show_it(blog: Path) -> None:
    path = blog / "content" / "posts" / "p05.md"
    path.write_text(_post("Renamed", "2024-01-05", "odd"))
    changed = set(_build(blog).changed)
    assert {"posts/p05/index.html", "posts/p04/index.html", "posts/p06/index.html"} <= changed
    # lists are anchored at the oldest post: p05 is on home page 2 and odd's first page
    assert {"page/2/index.html", "tags/odd/index.html", "archive/2024/index.html"} <= changed
    assert "posts/p01/index.html" in changed  # shares a tag: lists p05 as related
    assert "posts/p02/index.html" not in changed  # no shared tag, not a neighbour
    assert "feed.xml" not in changed  # only the 3 newest are in the feed
    assert len(changed) < 15


def test_changing_tags_rewrites_the_old_and_new_tag_pages(blog: Path) -> None:
    path = blog / "content" / "posts" / "p05.md"
    path.write_text(_post("Post 5", "2024-01-05", "even"))
    changed = set(_build(blog).changed)
    assert {"tags/index.html", "posts/p05/index.html"} <= changed  # the tag counts
    assert any(p.startswith("tags/odd/") for p in changed)  # the old tag's list
    assert any(p.startswith("tags/even/") for p in changed)  # the new tag's list
    assert "posts/p10/index.html" not in changed  # even, but too far away to be related


def test_a_new_post_rewrites_a_handful_of_files(blog: Path) -> None:
    (blog / "content" / "posts" / "p13.md").write_text(_post("New", "2024-02-01", "odd"))
    result = _build(blog)
    assert result.parsed == 1
    assert "posts/p13/index.html" in result.changed
    assert "page/1/index.html" not in result.changed  # pages anchored at the oldest post
    assert len(result.changed) < 15


def test_a_template_change_reuses_every_parsed_post(blog: Path) -> None:
    theme = blog / "themes" / "mine"
    shutil.copytree(resolve_theme("default", blog), theme)
    config = blog / "quire.toml"
    config.write_text(config.read_text() + 'theme = "mine"\n')
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("</body>", "<!-- new -->\n</body>"))
    result = _build(blog)
    assert result.parsed == 0  # no Markdown or Pygments work
    assert "posts/p01/index.html" in result.changed


def test_deleting_the_cache_only_costs_time(blog: Path) -> None:
    before = tree_digest(blog / "public")
    shutil.rmtree(blog / CACHE_DIR)
    result = _build(blog)
    assert result.parsed == 12 and result.changed == ()
    assert tree_digest(blog / "public") == before


def test_a_page_deleted_from_the_output_is_written_again(blog: Path) -> None:
    (blog / "public" / "posts" / "p03" / "index.html").unlink()
    result = _build(blog)
    assert result.changed == ("posts/p03/index.html",)
    assert (blog / "public" / "posts" / "p03" / "index.html").is_file()


def test_a_write_killed_after_its_commit_is_finished_by_the_next_build(
    blog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder import write_staged

    def killed(stage: Path, output_dir: Path) -> None:
        raise KeyboardInterrupt  # the process dies right after the journal was committed

    path = blog / "content" / "posts" / "p05.md"
    path.write_text(_post("Renamed", "2024-01-05", "odd"))
    with monkeypatch.context() as patch:
        patch.setattr(write_staged, "_replay", killed)
        with pytest.raises(KeyboardInterrupt):
            build_site(blog, options(skip_search=True))
    assert "Renamed" not in (blog / "public" / "posts" / "p05" / "index.html").read_text()
    assert list(blog.glob(".public.stage-*"))  # the committed stage waits to be applied
    result = _build(blog)
    assert not list(blog.glob(".public.stage-*"))
    assert "Renamed" in (blog / "public" / "posts" / "p05" / "index.html").read_text()
    assert result.changed == ()  # the replay already wrote everything
    assert _tree(blog / "public") == _tree(_clean_build(blog, blog.parent / "clean"))


def test_an_uncommitted_stage_is_dropped_and_the_output_kept(blog: Path) -> None:
    before = tree_digest(blog / "public")
    stale = blog / ".public.stage-dead"
    (stale / "files" / "posts" / "p01").mkdir(parents=True)
    (stale / "files" / "posts" / "p01" / "index.html").write_text("half written")
    result = _build(blog)
    assert result.changed == () and not stale.exists()
    assert tree_digest(blog / "public") == before


def test_a_committed_stage_from_before_numbered_staging_is_still_applied(
    tmp_path: Path,
) -> None:
    from builder.write_staged import JOURNAL, recover_staged

    output = tmp_path / "public"
    (output / "posts" / "a").mkdir(parents=True)
    (output / "posts" / "a" / "index.html").write_text("old")
    (output / "gone.html").write_text("to remove")
    stage = tmp_path / ".public.stage-0ld"  # staged files at their own paths
    (stage / "files" / "posts" / "a").mkdir(parents=True)
    (stage / "files" / "posts" / "a" / "index.html").write_text("new")
    (stage / "files" / "posts" / "b").mkdir(parents=True)
    (stage / "files" / "posts" / "b" / "index.html").write_text("added")
    journal = {"changed": ["posts/a/index.html", "posts/b/index.html"], "removed": ["gone.html"]}
    (stage / JOURNAL).write_text(json.dumps(journal))
    recover_staged(output)
    assert (output / "posts" / "a" / "index.html").read_text() == "new"
    assert (output / "posts" / "b" / "index.html").read_text() == "added"
    assert not (output / "gone.html").exists() and not stage.exists()


def test_a_failed_build_leaves_the_output_and_cache_as_they_were(blog: Path) -> None:
    before = tree_digest(blog / "public")
    path = blog / "content" / "posts" / "p05.md"
    path.write_text("---\ntitle: Broken\ndate: not a date\n---\n\nBody.\n")
    result = build_site(blog, options(skip_search=True))
    assert not result.ok
    assert tree_digest(blog / "public") == before
    path.write_text(_post("Post 5", "2024-01-05", "odd"))  # fixed again: nothing to write
    assert _build(blog).changed == ()


def test_the_search_index_is_rebuilt_only_when_pages_change(blog: Path) -> None:
    first = build_site(blog, options())
    assert first.ok and first.manifest is not None
    index = sorted(p for p, e in first.manifest.files.items() if e.kind == "search")
    assert index, first.warnings
    before = tree_digest(blog / "public")
    again = build_site(blog, options())
    assert again.changed == ()  # no page changed: no index file either
    assert tree_digest(blog / "public") == before
    path = blog / "content" / "posts" / "p05.md"
    path.write_text(_post("Zeppelin", "2024-01-05", "odd"))
    edited = build_site(blog, options())
    assert edited.ok and edited.manifest is not None
    assert any(p.startswith("search/t/") for p in edited.changed)
    for rel, entry in edited.manifest.files.items():  # the manifest describes the new index
        assert (blog / "public" / rel).stat().st_size == entry.size, rel


def test_a_new_post_renders_only_the_list_pages_that_change(tmp_path: Path) -> None:
    days = [f"2023-{n // 28 + 1:02d}-{n % 28 + 1:02d}" for n in range(100)]
    # 20 numbered pages in the home list, and as many in the tag's
    posts = {f"p{n:03d}.md": _post(f"Post {n}", day, "all") for n, day in enumerate(days)}
    site = _site(tmp_path / "long", "per_page = 5\n", posts)
    _build(site)
    (site / "content" / "posts" / "p100.md").write_text(_post("New", "2024-01-01", "all"))
    result = _build(site)
    # Rendered again: the new post, the posts whose neighbours or related posts may
    # change, the landing pages and newest numbered pages, feeds, sitemap and indexes.
    # Not the 38 older numbered pages, whose posts and links are the same (70 before).
    assert "page/1/index.html" not in result.changed
    assert result.rendered < 38, result.rendered
    assert _tree(site / "public") == _tree(_clean_build(site, tmp_path / "clean"))


def test_a_post_falling_due_is_linked_as_a_clean_build_would(tmp_path: Path) -> None:
    posts = {f"p{n}.md": _post(f"Post {n}", f"2025-05-0{n}", "odd" if n % 2 else "even")
             for n in range(1, 8)}  # fmt: skip
    posts["later.md"] = _post("Later", "2025-06-03", "odd")  # after NOW (builder_testlib)
    site = _site(tmp_path / "blog", "per_page = 3\n", posts)
    _build(site)
    assert not (site / "public" / "posts" / "later").exists()
    due = NOW + timedelta(days=3)
    assert build_site(site, options(skip_search=True, now=due)).ok
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns("public", CACHE_DIR))
    assert build_site(clean, options(skip_search=True, cache=False, now=due)).ok
    assert _tree(site / "public") == _tree(clean / "public")
    newest_before = (site / "public" / "posts" / "p7" / "index.html").read_text()
    assert 'href="/posts/later/"' in newest_before  # its "next" link


def test_a_deleted_post_lets_another_into_the_related_posts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With one candidate on each side per tag, post P ranks A, C and B (two shared tags
    # each) above R (one). Deleting R brings Q (three shared tags) into P's window of
    # tag t: P's related posts change, though P never showed R.
    monkeypatch.setattr(render_related, "RELATED_WINDOW", 1)
    posts = {
        "a.md": _post("A", "2024-01-01", "t, v"),
        "c.md": _post("C", "2024-01-02", "v, w"),
        "p.md": _post("P", "2024-01-10", "t, v, w"),
        "b.md": _post("B", "2024-01-11", "v, w"),
        "r.md": _post("R", "2024-01-12", "t"),
        "q.md": _post("Q", "2024-01-13", "t, v, w"),
    }
    site = _site(tmp_path / "blog", "", posts)
    _build(site)
    (site / "content" / "posts" / "r.md").unlink()
    _build(site)
    assert _tree(site / "public") == _tree(_clean_build(site, tmp_path / "clean"))
    related = (site / "public" / "posts" / "p" / "index.html").read_text()
    assert 'href="/posts/q/"' in related.split('class="related"')[1]
