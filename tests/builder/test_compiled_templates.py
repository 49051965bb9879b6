"""The theme's compiled templates, kept in the build cache so a rebuild in a new process
does not compile them again; a template edit must still show on the next build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builder_testlib import QUIRE_TOML, MakeSite, options, post

from builder.cache import CACHE_DIR
from builder.pipeline import BuildResult, build_site
from builder.render import env as render_env
from builder.themes import resolve_theme

COMPILED = Path(CACHE_DIR) / render_env.COMPILED_DIR


def _build(site: Path, **kwargs: object) -> BuildResult:
    result = build_site(site, options(skip_search=True, **kwargs))
    assert result.ok, result.errors
    return result


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    """Two posts and a copy of the default theme, so its templates can be edited."""
    files = {f"content/posts/p{n}.md": post(f"Post {n}", f"2024-01-0{n}") for n in (1, 2)}
    root = make_site(files, config=QUIRE_TOML + 'theme = "mine"\n')
    shutil.copytree(resolve_theme("default", root), root / "themes" / "mine")
    return root


def _page(site: Path) -> str:
    return (site / "public" / "posts" / "p1" / "index.html").read_text()


def test_a_template_edit_shows_despite_the_compiled_copy(site: Path) -> None:
    _build(site)
    assert any((site / COMPILED).iterdir())  # kept for the next build
    base = site / "themes" / "mine" / "templates" / "base.html"
    base.write_text(base.read_text().replace("</body>", "<!-- edited -->\n</body>"))
    result = _build(site)
    assert "posts/p1/index.html" in result.changed
    assert "<!-- edited -->" in _page(site)


def test_a_damaged_compiled_template_is_compiled_again(site: Path) -> None:
    _build(site)
    for path in (site / COMPILED).iterdir():
        path.write_bytes(b"not a compiled template")
    post_file = site / "content" / "posts" / "p1.md"
    post_file.write_text(post("Post 1 renamed", "2024-01-01"))
    _build(site)
    assert "Post 1 renamed" in _page(site)


def test_another_quire_version_does_not_use_them(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(site)
    before = {path.name for path in (site / COMPILED).iterdir()}
    monkeypatch.setattr(render_env, "cache_version", lambda: "another version")
    (site / "content" / "posts" / "p1.md").write_text(post("Post 1 renamed", "2024-01-01"))
    _build(site)
    after = {path.name for path in (site / COMPILED).iterdir()}
    assert after - before  # compiled anew, under keys of their own
    assert "Post 1 renamed" in _page(site)


def test_a_build_without_the_cache_keeps_none(site: Path) -> None:
    _build(site, cache=False)
    assert not (site / COMPILED).exists()
    assert "Post 1" in _page(site)


def test_a_full_disk_or_a_blocked_folder_only_costs_compiling(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2.bccache

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", no_space)
    _build(site)  # compiled, not kept
    assert "Post 1" in _page(site)
    assert not any((site / COMPILED).iterdir())
    monkeypatch.undo()
    shutil.rmtree(site / COMPILED)
    (site / COMPILED).write_text("a file where the folder should be")
    (site / "content" / "posts" / "p1.md").write_text(post("Post 1 renamed", "2024-01-01"))
    _build(site)
    assert "Post 1 renamed" in _page(site)
