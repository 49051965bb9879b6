"""Re-indexing a finished output folder (the worker's background search refresh) and
`quire build --no-search`, with the real Pagefind binary."""

from __future__ import annotations

import gzip
import json
import stat
from pathlib import Path

from builder_testlib import options, post, tree_digest
from typer.testing import CliRunner

from builder.cli import app
from builder.manifest import MANIFEST_NAME, FileEntry, Manifest, read_manifest
from builder.pipeline import build_site
from builder.search import refresh_search_index, search_is_stale


def page_count(output: Path) -> int:
    """How many pages the search index holds (what the search page can find)."""
    entry = json.loads((output / "pagefind" / "pagefind-entry.json").read_text())
    return sum(language["page_count"] for language in entry["languages"].values())


def indexed_text(output: Path) -> str:
    """Every page fragment of the index, decompressed: the text search results show."""
    fragments = sorted((output / "pagefind" / "fragment").glob("*.pf_fragment"))
    return "\n".join(gzip.decompress(f.read_bytes()).decode() for f in fragments)


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


def page_entries(output: Path) -> dict[str, FileEntry]:
    return {p: e for p, e in manifest_of(output).files.items() if e.kind != "search"}


def test_refresh_indexes_new_pages_and_updates_the_manifest(basic_site: Path) -> None:
    first = build_site(basic_site, options())
    out = first.output_dir
    before = page_count(out)
    add_zeppelin_post(basic_site)
    kept = build_site(basic_site, options(search_index=False))  # the worker's build
    assert kept.ok and (out / "posts/zeppelin/index.html").is_file()
    assert page_count(out) == before and "Zeppelin" not in indexed_text(out)
    assert search_is_stale(out)  # what tells the worker (and the next build) to re-index
    pages = page_entries(out)

    paths, problems = refresh_search_index(out)

    assert problems == []
    assert page_count(out) == before + 1 and "Airships over the harbour" in indexed_text(out)
    assert not search_is_stale(out)
    assert "pagefind/pagefind-entry.json" in paths
    assert all(p.startswith("pagefind/") for p in paths)
    # the manifest describes exactly the index on disk, so a publish uploads just that
    on_disk = {
        f"pagefind/{p}": (digest, (out / "pagefind" / p).stat().st_size)
        for p, (digest, _) in tree_digest(out / "pagefind").items()
    }
    assert search_entries(out) == on_disk
    assert page_entries(out) == pages
    assert not list(out.parent.glob(".public.pagefind-*"))  # no temporary folder left behind

    manifest_bytes = (out / MANIFEST_NAME).read_bytes()
    assert refresh_search_index(out) == ([], [])  # up to date: nothing to upload
    assert (out / MANIFEST_NAME).read_bytes() == manifest_bytes


def test_a_failed_pagefind_keeps_the_old_index_and_warns(basic_site: Path, tmp_path: Path) -> None:
    out = build_site(basic_site, options()).output_dir
    add_zeppelin_post(basic_site)
    assert build_site(basic_site, options(search_index=False)).ok
    before = tree_digest(out)
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: out of memory' >&2\nexit 3\n")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)

    paths, problems = refresh_search_index(out, executable=broken)

    assert paths == []
    assert [str(d) for d in problems] == [
        "warning: search: search index not updated: Pagefind failed (exit 3): "
        "Error: out of memory The previous index is kept; search may miss the newest pages."
    ]
    assert tree_digest(out) == before  # pages, old index and manifest exactly as they were
    assert search_is_stale(out)  # still behind: the next build or refresh tries again
    assert not list(out.parent.glob(".public.pagefind-*"))
    _, missing = refresh_search_index(out, executable=tmp_path / "no-such-pagefind")
    assert "Pagefind could not run" in missing[0].message
    assert tree_digest(out) == before


def test_refresh_of_a_folder_never_built_says_so(tmp_path: Path) -> None:
    paths, problems = refresh_search_index(tmp_path / "public")
    assert paths == [] and "holds no built site (build it first)" in problems[0].message


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
    assert "Zeppelin" not in indexed_text(out)
    full = runner.invoke(app, ["build", str(basic_site)])
    assert full.exit_code == 0, full.output
    assert "Airships over the harbour" in indexed_text(out)


def test_build_no_search_on_a_new_site_runs_no_pagefind(basic_site: Path) -> None:
    result = CliRunner().invoke(app, ["build", str(basic_site), "--no-search"])
    assert result.exit_code == 0, result.output
    assert not (basic_site / "public/pagefind").exists()
    assert search_entries(basic_site / "public") == {}
