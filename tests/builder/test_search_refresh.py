"""`quire build --no-search`: the previous search index is kept as it is (and marked
behind the pages), and the next build catches it up."""

from __future__ import annotations

from pathlib import Path

from builder_testlib import post
from typer.testing import CliRunner

from builder.cli import app
from builder.manifest import Manifest, read_manifest
from builder.search import search_is_stale


def indexed_text(output: Path) -> str:
    """Every document file of the index: the text search results show."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(output.glob("search/d/*.json")))


def add_zeppelin_post(site: Path) -> None:
    (site / "content/posts/zeppelin.md").write_text(
        post("Zeppelin season", "2024-02-01", "Airships over the harbour.", authors="[ada]")
    )


def manifest_of(output: Path) -> Manifest:
    manifest = read_manifest(output)
    assert manifest is not None
    return manifest


def search_entries(output: Path) -> dict[str, tuple[str, int]]:
    files = manifest_of(output).files
    return {p: (e.sha256, e.size) for p, e in files.items() if e.kind == "search"}


def test_build_no_search_keeps_the_previous_index(basic_site: Path) -> None:
    runner = CliRunner()
    built = runner.invoke(app, ["build", str(basic_site)])
    assert built.exit_code == 0, built.output
    out = basic_site / "public"
    index = search_entries(out)
    assert index
    add_zeppelin_post(basic_site)
    fast = runner.invoke(app, ["build", str(basic_site), "--no-search"])
    assert fast.exit_code == 0, fast.output
    assert (out / "posts/zeppelin/index.html").is_file()
    assert search_entries(out) == index  # kept, not dropped: a deploy does not delete it
    assert "Zeppelin" not in indexed_text(out) and search_is_stale(out)
    full = runner.invoke(app, ["build", str(basic_site)])
    assert full.exit_code == 0, full.output
    assert "Airships over the harbour" in indexed_text(out) and not search_is_stale(out)


def test_build_no_search_on_a_new_site_makes_no_index(basic_site: Path) -> None:
    result = CliRunner().invoke(app, ["build", str(basic_site), "--no-search"])
    assert result.exit_code == 0, result.output
    assert not (basic_site / "public/search/meta.json").exists()
    assert search_entries(basic_site / "public") == {}
