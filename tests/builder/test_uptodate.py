"""A build with nothing changed does nothing, and any change at all defeats that shortcut.

The tests wait a moment after writing inputs: a file changed within moments of a
build's snapshot is never trusted (its next change could keep the same stat), which is
right, but would make every test here take the slow path.
"""

from __future__ import annotations

import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest
from builder_testlib import NOW, options, tree_digest

from builder import stat_many
from builder.cache import CACHE_DIR
from builder.pipeline import BuildResult, build_site
from builder.themes import resolve_theme
from builder.uptodate import FINE_RACY_NS

POST = "---\ntitle: {title}\ndate: {date}\ntags: [odd]\n{extra}---\n\nBody of {title}.\n"


def _age(root: Path) -> None:
    """Let the inputs' last change fall out of the window in which it is not trusted (a
    change's ctime cannot be set back, so this waits)."""
    del root
    time.sleep(FINE_RACY_NS / 1e9 + 0.02)


def _build(root: Path, **kwargs: object) -> BuildResult:
    result = build_site(root, options(skip_search=True, **kwargs))
    assert result.ok, [str(d) for d in result.errors]
    return result


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    root = tmp_path / "blog"
    _write(root / "quire.toml", 'title = "B"\nbase_url = "https://b.example.com"\ntheme = "mine"\n')
    shutil.copytree(resolve_theme("default", root), root / "themes" / "mine")
    for n in range(1, 6):
        _write(
            root / "content" / "posts" / f"p{n}.md",
            POST.format(title=f"Post {n}", date=f"2024-01-0{n}", extra=""),
        )
    _write(root / "content" / "posts" / "later.md",
           POST.format(title="Later", date="2025-06-02T09:00:00Z", extra=""))  # fmt: skip
    draft = POST.format(title="Wip", date="2024-02-01", extra="draft: true\nsummry: hi\n")
    _write(root / "content" / "posts" / "draft.md", draft)
    _age(root)
    _build(root)
    return root


def _ready(root: Path) -> BuildResult:
    """A second build of an unchanged site: up to date."""
    result = _build(root)
    assert result.up_to_date
    return result


def test_an_unchanged_site_is_up_to_date_and_nothing_is_touched(blog: Path) -> None:
    before = tree_digest(blog / "public")
    result = _ready(blog)
    assert result.changed == () and result.removed == () and result.parsed == 0
    assert tree_digest(blog / "public") == before
    pages = result.pages  # known without reading the manifest
    # the last build's warnings are still reported: the problem is still in the file
    assert any("summry" in d.message for d in result.warnings)
    manifest = result.manifest  # read on demand, for the callers that want it
    assert manifest is not None and "/posts/p1/" in {t.url for t in manifest.threads.values()}
    assert pages == sum(1 for e in manifest.files.values() if e.kind == "html") > 5


@pytest.mark.parametrize(
    "change",
    [
        "body", "new post", "deleted post", "static file", "theme template", "config",
        "authors file", "dotfile renamed",
    ],
)  # fmt: skip
def test_any_change_to_an_input_is_built(blog: Path, change: str) -> None:
    _ready(blog)
    posts = blog / "content" / "posts"
    if change == "body":
        path = posts / "p3.md"
        path.write_text(path.read_text() + "More.\n")  # same inode, new size and mtime
    elif change == "new post":
        _write(posts / "p6.md", POST.format(title="Post 6", date="2024-01-06", extra=""))
    elif change == "deleted post":
        (posts / "p5.md").unlink()
    elif change == "static file":
        _write(blog / "static" / "img" / "a.txt", "a")
    elif change == "theme template":
        base = blog / "themes" / "mine" / "templates" / "base.html"
        base.write_text(base.read_text().replace("</body>", "<!-- x -->\n</body>"))
    elif change == "config":
        config = blog / "quire.toml"
        config.write_text(config.read_text().replace('"B"', '"Blog"'))
    elif change == "authors file":
        _write(blog / "authors.toml", '[ann]\nname = "Ann"\n')
    else:
        _write(posts / ".p7.md", POST.format(title="Post 7", date="2024-01-07", extra=""))
        _age(blog)
        _build(blog)
        _ready(blog)
        (posts / ".p7.md").rename(posts / "p7.md")
    result = _build(blog)
    assert not result.up_to_date, change
    if change != "authors file":  # no post names an author: no page shows the file
        assert result.changed or result.removed, change


@pytest.mark.parametrize("inodes", ["in memory", "read from disk"])
def test_a_page_deleted_or_edited_in_the_output_is_restored(
    blog: Path, inodes: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if inodes == "read from disk":  # as if each stat waited: the outputs are stat'ed by threads
        monkeypatch.setattr(stat_many, "_COLD_S", -1.0)
        monkeypatch.setattr(stat_many, "_PROBE", 1)
    _ready(blog)
    page = blog / "public" / "posts" / "p2" / "index.html"
    good = page.read_bytes()
    page.write_bytes(good.replace(b"Post 2", b"Post X"))
    assert not _build(blog).up_to_date
    assert page.read_bytes() == good
    page.unlink()
    result = _build(blog)
    assert result.changed == ("posts/p2/index.html",) and page.read_bytes() == good


def test_a_scheduled_post_is_published_when_its_time_comes(blog: Path) -> None:
    _ready(blog)
    assert not (blog / "public" / "posts" / "later").exists()
    due = _build(blog, now=NOW + timedelta(days=2))
    assert not due.up_to_date
    assert (blog / "public" / "posts" / "later" / "index.html").is_file()


def test_other_options_or_comments_are_a_different_build(blog: Path) -> None:
    _ready(blog)
    assert not _build(blog, drafts=True).up_to_date
    assert (blog / "public" / "posts" / "draft" / "index.html").is_file()
    assert not _build(blog).up_to_date  # back to without drafts: the draft page goes
    assert not (blog / "public" / "posts" / "draft").exists()


def test_a_code_or_library_change_is_a_different_build(
    blog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder import uptodate

    _ready(blog)
    monkeypatch.setattr(uptodate, "cache_version", lambda: "another-version")
    assert not _build(blog).up_to_date


def test_without_the_cache_there_is_no_shortcut(blog: Path) -> None:
    _ready(blog)
    assert not _build(blog, cache=False).up_to_date
    shutil.rmtree(blog / CACHE_DIR)
    assert not _build(blog).up_to_date


def test_a_file_saved_just_before_the_build_is_not_trusted(blog: Path) -> None:
    # saved now, then built at once: its next save could keep the same size and mtime tick
    path = blog / "content" / "posts" / "p3.md"
    path.write_text(path.read_text() + "More.\n")
    _build(blog)
    assert not _build(blog).up_to_date
