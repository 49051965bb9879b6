"""The render and write stages as `build_site` runs them (the theme found, the widget
budget checked, the search index made), and what the write stage is told of the site.

Imported by the pipeline before it knows whether anything must be built: the stages' own
modules (Jinja, Pygments, the search indexer) are imported by the functions that run them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from builder.budget import check_widget_budget
from builder.build_run import BuildRun
from builder.cache import BuildCache, OutputRecord
from builder.load import Sources, load_sources, stat_records
from builder.manifest import Manifest, Thread
from builder.model import Diagnostic, OutputFile, Site, Source
from builder.options import BuildOptions
from builder.themes import ThemeError, resolve_theme

if TYPE_CHECKING:
    from builder.config import SiteConfig
    from builder.incremental import Reuse
    from builder.render import BakedThread
    from builder.uptodate import Snapshot
    from builder.write import Tree, WriteResult


def effective_config(config: SiteConfig, options: BuildOptions) -> SiteConfig:
    """The site config with this build's overrides (the preview server's base URL)."""
    if options.base_url is None:
        return config
    return config.model_copy(update={"base_url": options.base_url.rstrip("/")})


def without_text(sources: Sources) -> Sources:
    """The sources with their texts dropped (paths and hashes kept), to save memory."""
    return replace(
        sources,
        posts=tuple(Source(s.path, "", s.sha256) for s in sources.posts),
        pages=tuple(Source(s.path, "", s.sha256) for s in sources.pages),
    )


def load_stage(
    run: BuildRun, site_dir: Path, store: BuildCache | None, snapshot: Snapshot | None
) -> Sources:
    """The site's sources, read when the cache does not know them (and their stats kept)."""
    known, recorded = store.get_stats() if store is not None else ({}, 0)
    seen = snapshot.files if snapshot is not None else None
    sources, problems = load_sources(site_dir, known, recorded_ns=recorded, seen=seen)
    run.diagnostics.extend(problems)
    if store is not None:
        records = stat_records(site_dir, sources)
        # Nothing read and nothing changed: the stored records (and their older time,
        # which only makes more files count as possibly changed) are still right.
        if records != known or any(s.loaded for s in (*sources.posts, *sources.pages)):
            store.put_stats(records, time.time_ns())
    return sources


def threads_of(site: Site) -> dict[str, Thread]:
    """The comment threads of a site: every published post and page, by stable id."""
    return {
        doc.id: Thread(
            url=doc.url,
            title=doc.title,
            date=doc.date.isoformat() if doc.date else None,
            source=doc.source,
        )
        for doc in (*site.posts, *site.pages)
    }


def redirects_of(site: Site) -> dict[str, str]:
    """Every alias (old URL path) and the page it now redirects to."""
    return {alias: doc.url for doc in (*site.posts, *site.pages) for alias in doc.aliases}


def render_stage(
    site: Site,
    site_dir: Path,
    diagnostics: list[Diagnostic],
    reuse: Reuse | None,
    baked: Mapping[str, BakedThread],
    tree: Tree | None = None,
) -> list[OutputFile]:
    """Every file of the site (see render.render_site), with the theme's problems."""
    from builder.render import render_site
    from builder.render.env import compiled_templates

    try:
        theme_dir = resolve_theme(site.config.theme, site_dir)
    except ThemeError as exc:
        diagnostics.append(Diagnostic("error", "quire.toml", str(exc), field="theme"))
        return []
    over_budget = check_widget_budget(theme_dir)  # a theme whose widgets grew fails here
    if over_budget is not None:
        diagnostics.append(over_budget)
    place = tree.place if tree is not None else None
    compiled = compiled_templates(site_dir) if reuse is not None else None  # no cache: none
    files, problems = render_site(
        site, theme_dir=theme_dir, baked=baked, reuse=reuse, place=place, compiled=compiled
    )
    diagnostics.extend(problems)
    return files


def write_stage(
    files: list[OutputFile],
    site: Site,
    sources: Sources,
    site_dir: Path,
    output_dir: Path,
    options: BuildOptions,
    previous: Manifest | None = None,
    tree: Tree | None = None,
    store: BuildCache | None = None,
    present: Mapping[str, list[int]] | None = None,
) -> WriteResult:
    """The output folder made to hold `files` (see write.write_output) and the search
    index (builder.search_index: the one place a build indexes)."""
    from builder.search_index import index_for_build
    from builder.write import write_output

    old = previous.files if previous is not None else None
    started = time.perf_counter()
    index = index_for_build(site, output_dir, options, store, sources, old_files=old)
    seconds = time.perf_counter() - started
    written = write_output(
        [*files, *(index.files if index else ())],
        site_dir=site_dir,
        output_dir=output_dir,
        static_files=sources.static_files,
        threads=threads_of(site),
        redirects=redirects_of(site),
        base_url=site.config.base_url,
        keep_search=not options.search_index,  # index anyway when there is none yet
        previous=previous,
        tree=tree,
        present=present,
    )
    if index is None or written.manifest is None:
        return written
    index.commit()
    return replace(written, search_seconds=seconds)


def record_outputs(store: BuildCache, output_dir: Path, reuse: Reuse, manifest: Manifest) -> None:
    """Remember what each written file was made from, for the next build's `reuse`."""
    entries = manifest.files
    store.put_outputs(
        output_dir,
        {
            path: OutputRecord(record.fingerprint, entries[path].sha256)
            for path, record in reuse.records.items()
            if path in entries
        },
    )
    store.put_values(output_dir, reuse.snapshot())
