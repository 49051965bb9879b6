"""Builder fixtures, following the pipeline: sources -> site -> built_site.

`make_site` writes a small site from a dict of files; `NOW` pins "today" so future-dated
posts and dates in the output never depend on when the tests run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builder_testlib import AUTHORS_TOML, QUIRE_TOML, SITES, MakeSite, options

from builder.authors import parse_authors
from builder.collect import collect_site
from builder.config import load_config
from builder.load import Sources, load_sources
from builder.model import Site
from builder.parse import ParseSettings, parse_source
from builder.pipeline import BuildResult, build_site


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write a site: `make_site({"content/posts/a.md": post()})`, config and authors optional."""

    def make(
        files: dict[str, str] | None = None,
        *,
        config: str = QUIRE_TOML,
        authors: str | None = AUTHORS_TOML,
        name: str = "site",
    ) -> Path:
        root = tmp_path / name
        root.mkdir()
        (root / "quire.toml").write_text(config, encoding="utf-8")
        if authors is not None:
            (root / "authors.toml").write_text(authors, encoding="utf-8")
        for rel, text in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root

    return make


@pytest.fixture
def basic_site(tmp_path: Path) -> Path:
    """A writable copy of the golden sample site."""
    return Path(shutil.copytree(SITES / "basic", tmp_path / "basic"))


@pytest.fixture
def sources(basic_site: Path) -> Sources:
    """The golden site's files, loaded."""
    loaded, problems = load_sources(basic_site)
    assert problems == []
    return loaded


@pytest.fixture
def site(basic_site: Path, sources: Sources) -> Site:
    """The golden site, parsed and collected (drafts and future posts left out)."""
    config = load_config(basic_site)
    settings = ParseSettings.from_config(config)
    docs = []
    for source in (*sources.posts, *sources.pages):
        doc, problems = parse_source(source, settings)
        assert doc is not None, problems
        docs.append(doc)
    authors, problems = parse_authors(sources.authors)
    assert problems == []
    collected, problems = collect_site(
        docs, authors=authors, config=config, options=options(), static_files=sources.static_files
    )
    assert problems == []
    return collected


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The golden site, built once per session into its own copy; tests must not modify it."""
    root = Path(shutil.copytree(SITES / "basic", tmp_path_factory.mktemp("golden") / "basic"))
    result = build_site(root, options())
    assert result.ok, [str(d) for d in result.diagnostics]
    return result
