"""Cold builds run across processes; the output must not depend on it, nor on a cache
that disappears half-way through a build."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from builder_testlib import options

from builder import parallel
from builder.cache import CACHE_DIR, CACHE_FILE
from builder.pipeline import BuildResult, build_site

TAGS = ("python", "web", "ops")
PAGES_FOR_A_POOL = 200  # posts enough for the render stage to use processes too


def _site(root: Path, posts: int = 80) -> Path:
    folder = root / "content" / "posts"
    folder.mkdir(parents=True)
    (root / "quire.toml").write_text('title = "P"\nbase_url = "https://p.example.com"\n')
    for n in range(posts):
        body = f"Post {n} says hello.\n\n```python\nprint({n})\n```\n"
        text = f"---\ntitle: Post {n}\ndate: 2024-0{n % 9 + 1}-{n % 28 + 1:02d}\n"
        (folder / f"p{n:03d}.md").write_text(f"{text}tags: [{TAGS[n % 3]}]\n---\n\n{body}")
    return root


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _build(root: Path) -> BuildResult:
    result = build_site(root, options(skip_search=True))
    assert result.ok, [str(d) for d in result.errors]
    return result


def test_a_build_across_processes_writes_what_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = _site(tmp_path / "many", posts=PAGES_FOR_A_POOL)
    assert parallel.workers() > 1  # CI and this machine have two cores: the pool is used
    built = _build(many)  # the render workers write the pages into the new output tree
    assert built.parsed == PAGES_FOR_A_POOL and built.rendered > PAGES_FOR_A_POOL
    monkeypatch.setattr(parallel, "workers", lambda: 1)  # the same build, in one process
    one = _site(tmp_path / "one", posts=PAGES_FOR_A_POOL)
    _build(one)
    assert _tree(many / "public") == _tree(one / "public")
    assert built.manifest == _build(one).manifest  # every file's digest and size


def test_a_cold_build_that_fails_while_rendering_leaves_nothing_behind(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", posts=PAGES_FOR_A_POOL)
    theme = site / "themes" / "broken"
    shutil.copytree(Path(__file__).parents[2] / "themes" / "default", theme)
    post = theme / "templates" / "post.html"
    broken = "{% block main %}{{ no_such_value.attribute.deeper }}"  # fails when rendered
    post.write_text(post.read_text().replace("{% block main %}", broken, 1))
    (site / "quire.toml").write_text((site / "quire.toml").read_text() + 'theme = "broken"\n')
    result = build_site(site, options(skip_search=True))
    assert not result.ok and "post.html" in str(result.errors[0])
    assert sorted(p.name for p in site.iterdir()) == [".quire-cache", "content", "quire.toml",
                                                       "themes"]  # fmt: skip


def test_a_cache_reset_during_a_build_costs_only_time(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", posts=12)
    _build(site)
    config = site / "quire.toml"
    config.write_text(config.read_text() + 'description = "Every page changes."\n')

    def reset_cache(stage: str, index: int, total: int) -> None:
        if stage == "render":  # the parse stage handed out lazily read bodies: drop them
            with sqlite3.connect(site / CACHE_DIR / CACHE_FILE) as db:
                db.execute("DELETE FROM docs")
                db.execute("DELETE FROM bodies")

    result = build_site(site, options(skip_search=True), on_stage=reset_cache)
    assert result.ok and result.parsed == 12  # parsed again instead of failing
    clean = _site(tmp_path / "clean", posts=12)
    (clean / "quire.toml").write_text(config.read_text())
    _build(clean)
    assert _tree(site / "public") == _tree(clean / "public")


def test_a_cache_from_another_version_is_replaced_not_reused(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", posts=12)
    _build(site)
    before = _tree(site / "public")
    with sqlite3.connect(site / CACHE_DIR / CACHE_FILE) as db:  # as an older Quire left it
        db.execute("UPDATE meta SET value = 'older' WHERE key = 'version'")
    (site / "content" / "posts" / "p000.md").touch()  # not up to date: the cache is read
    result = _build(site)
    assert result.parsed == 12  # nothing taken from the other version's cache
    assert _tree(site / "public") == before
    with sqlite3.connect(site / CACHE_DIR / CACHE_FILE) as db:
        version = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0]
    assert version != "older"
    assert _build(site).parsed == 0  # and the new cache is used from then on


def test_the_parse_workers_store_what_they_parse(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).parsed == 80  # across processes: each worker stored its own posts
    with sqlite3.connect(site / CACHE_DIR / CACHE_FILE) as db:
        assert db.execute("SELECT count(*) FROM bodies WHERE length(body) > 0").fetchone() == (80,)
    config = site / "quire.toml"
    config.write_text(config.read_text() + 'description = "Every page changes."\n')
    assert _build(site).parsed == 0  # every page rendered again from the stored bodies
    clean = _site(tmp_path / "clean")
    (clean / "quire.toml").write_text(config.read_text())
    _build(clean)
    assert _tree(site / "public") == _tree(clean / "public")


def test_a_cache_reset_during_a_cold_build_costs_only_time(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    resets: list[str] = []

    def reset_cache(stage: str, index: int, total: int) -> None:
        if stage == "render" and not resets:  # bodies the workers stored: gone
            resets.append(stage)
            with sqlite3.connect(site / CACHE_DIR / CACHE_FILE) as db:
                db.execute("DELETE FROM docs")
                db.execute("DELETE FROM bodies")

    result = build_site(site, options(skip_search=True), on_stage=reset_cache)
    assert resets and result.ok and result.parsed == 80
    clean = _build(_site(tmp_path / "clean"))
    assert _tree(site / "public") == _tree(clean.output_dir)


@pytest.mark.parametrize("count", [1, 63, 64, 200, 5_000, 20_011])
def test_every_job_is_in_exactly_one_chunk_and_the_last_ones_are_small(count: int) -> None:
    chunks = parallel.guided_chunks(count, processes=2)
    assert [n for start, end in chunks for n in range(start, end)] == list(range(count))
    sizes = [end - start for start, end in chunks]
    assert sizes == sorted(sizes, reverse=True)  # big first: the workers end together
    assert len(chunks) <= 2 * parallel.CHUNKS_PER_WORKER  # and few hand-overs in all
