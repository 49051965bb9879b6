"""`build_site`: the builder's stages in order, each timed, diagnostics collected together.

config -> load -> parse -> collect -> render -> write. Each stage is a function from plain
data to plain data; only load and write touch the disk. Errors from every stage that ran
are reported together; with any error, rendering and writing are skipped and the previous
output folder stays exactly as it was.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from builder.authors import parse_authors
from builder.budget import check_widget_budget
from builder.build_result import BuildResult
from builder.cache import BuildCache, OutputRecord
from builder.cache_bodies import StaleCacheError
from builder.links import check_links  # light: the model and the standard library
from builder.load import Sources, load_sources, read_source, stat_records
from builder.manifest import MANIFEST_NAME, Manifest, Thread
from builder.model import Diagnostic, OutputFile, Site, Source
from builder.options import BuildOptions
from builder.parse_stage import ItemCallback, ParseCache, parse_all
from builder.themes import ThemeError, resolve_theme
from builder.uptodate import (
    SeenOutputs,
    Snapshot,
    aware,
    check,
    record_build,
    search_due,
    snapshot_for,
    stamp_key,
    untouched,
)
from builder.write_staged import stages_left

# The stages' own modules (and Pydantic, Jinja, YAML, Pygments behind them) are imported
# by the functions that run them: a build that finds nothing changed imports none of them
# (tests/builder/test_startup.py).
if TYPE_CHECKING:
    from builder.config import SiteConfig
    from builder.incremental import Reuse
    from builder.render import BakedThread
    from builder.write import Tree, WriteResult

STAGES = ("config", "load", "parse", "collect", "render", "write")
# the sources edited since the last build (when nothing else changed) and its page count
Edited = tuple[frozenset[str], int] | None
StageCallback = Callable[[str, int, int], None]  # (stage, index, number of stages)


class _Run:
    """Timings and diagnostics of one build in progress."""

    def __init__(self, on_stage: StageCallback | None) -> None:
        self.timings: dict[str, float] = {}
        self.diagnostics: list[Diagnostic] = []
        self.on_stage = on_stage

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.on_stage is not None:
            self.on_stage(name, STAGES.index(name), len(STAGES))
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = time.perf_counter() - start

    def split(self, stage: str, part: str, seconds: float | None) -> None:
        """Report `seconds` of `stage` as a stage of their own (the search index in write)."""
        if seconds is not None and stage in self.timings:
            self.timings[stage] = max(0.0, self.timings[stage] - seconds)
            self.timings[part] = seconds

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)


def build_site(
    site_dir: Path,
    options: BuildOptions | None = None,
    *,
    on_stage: StageCallback | None = None,
    on_parsed: ItemCallback | None = None,
    parse_cache: ParseCache | None = None,
    baked: Mapping[str, BakedThread] | None = None,
) -> BuildResult:
    """Build the site in `site_dir` into its output folder.

    Incremental by default: `<site>/.quire-cache` keeps every post's parse result and each
    output's input fingerprint, so a rebuild parses only changed sources, renders only the
    pages whose inputs changed and writes only files whose bytes changed
    (`options.cache=False` for a build that neither reads nor writes the cache).
    `parse_cache` (kept in memory by the caller between builds, e.g. the preview server)
    skips even reading that cache. `baked` (thread id -> BakedThread) is what the
    publisher knows of each thread's comments, baked into the article pages.
    """
    with _fewer_collections():
        return _build_site(site_dir, options, on_stage, on_parsed, parse_cache, baked)


# A build allocates hundreds of thousands of objects that live until it ends (documents,
# manifest entries) and makes few reference cycles: with the default thresholds
# (700, 10, 10) the collector runs hundreds of times and walks them again and again.
_BUILD_GC_THRESHOLDS = (100_000, 50, 1_000)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage rarely during a build; restore the caller's settings after it."""
    before = gc.get_threshold()
    gc.freeze()  # what existed before the build (modules, the caller's objects) is not ours
    gc.set_threshold(*_BUILD_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()  # see `_settle`


def _build_site(
    site_dir: Path,
    options: BuildOptions | None,
    on_stage: StageCallback | None,
    on_parsed: ItemCallback | None,
    parse_cache: ParseCache | None,
    baked: Mapping[str, BakedThread] | None,
) -> BuildResult:
    options = options or BuildOptions()
    baked = baked or {}
    key = stamp_key(options, baked)
    tampered: frozenset[str] = frozenset()
    taken: Snapshot | None = None
    seen_outputs: SeenOutputs = (None, None)
    edited: Edited = None
    if options.cache:
        start = time.perf_counter()
        freshness = check(site_dir, key, aware(options.now))
        fresh, tampered, taken = freshness.current, freshness.tampered, freshness.snapshot
        seen_outputs = (freshness.output_dir, freshness.outputs)
        if freshness.edited:
            edited = (freshness.edited, freshness.pages)
        if fresh is not None and search_due(options, fresh.output_dir):
            fresh = None  # the index was kept behind the pages: this build catches it up
        if fresh is not None and stages_left(fresh.output_dir):
            fresh = None  # a killed write left its stage: the full path finishes or drops it
        if fresh is not None:
            return BuildResult(
                fresh.output_dir,
                fresh.diagnostics,
                {"check": time.perf_counter() - start},
                base_url=fresh.base_url,
                up_to_date=True,
                page_count=fresh.pages,
            )
    store = BuildCache(site_dir) if options.cache else None

    def attempt() -> BuildResult:
        return _build(
            site_dir,
            options,
            store,
            on_stage,
            on_parsed,
            parse_cache,
            baked,
            key,
            tampered,
            taken,
            seen_outputs,
            edited,
        )

    try:
        try:
            return attempt()
        except StaleCacheError:  # the cache was deleted or reset under this build
            if store is not None:
                store.forget_parsed()
            if parse_cache is not None:
                parse_cache.clear()
            return attempt()
    finally:
        if store is not None:
            store.close()


def _settle() -> None:
    """Move what the build holds for its whole length (documents, the last manifest) out
    of the garbage collector's sight: with thousands of them alive, every full collection
    would walk them all again (a tenth of a second each) and find nothing."""
    gc.freeze()


def _build(
    site_dir: Path,
    options: BuildOptions,
    store: BuildCache | None,
    on_stage: StageCallback | None,
    on_parsed: ItemCallback | None,
    parse_cache: ParseCache | None,
    baked: Mapping[str, BakedThread],
    key: str,
    tampered: frozenset[str],
    taken: Snapshot | None = None,
    seen_outputs: SeenOutputs = (None, None),
    edited: Edited = None,
) -> BuildResult:
    from builder.collect import collect_site
    from builder.config import ConfigError, load_config
    from builder.incremental import reuse_for
    from builder.parse import ParseSettings
    from builder.write import Tree, recover_output

    run = _Run(on_stage)
    with run.stage("config"):
        try:
            config = effective_config(load_config(site_dir), options)
        except ConfigError as exc:
            output_dir = options.output_dir or site_dir / "public"
            return BuildResult(output_dir, tuple(exc.diagnostics), run.timings)
        snapshot = snapshot_for(site_dir, config.theme, taken) if store is not None else None
    output_dir = options.output_dir or site_dir / config.output_dir
    recover_output(output_dir)  # a killed build must not leave the site without its output
    with run.stage("load"):
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
    with run.stage("parse"):
        counter: list[int] = []
        documents = parse_all(
            [*sources.posts, *sources.pages],
            ParseSettings.from_config(config),
            parse_cache,
            on_parsed=on_parsed,
            store=store,
            counter=counter,
            reread=lambda source: read_source(site_dir, source.path)[0] or source,
        )
        for _, problems in documents:
            run.diagnostics.extend(problems)
        authors, problems = parse_authors(sources.authors)
        run.diagnostics.extend(problems)
        sources = _without_text(sources)  # parsed: the texts are not needed any more
        _settle()
    with run.stage("collect"):
        site, problems = collect_site(
            [doc for doc, _ in documents if doc is not None],
            authors=authors,
            config=config,
            options=options,
            static_files=sources.static_files,
        )
        run.diagnostics.extend(problems)
    if run.failed:
        return BuildResult(output_dir, tuple(run.diagnostics), run.timings, site=site)

    def stamp(
        outputs: Iterable[str], pages: int, changed: Iterable[str], removed: Iterable[str]
    ) -> None:
        """Record this successful build for the next up-to-date check."""
        assert snapshot is not None
        record_build(
            site_dir,
            snapshot,
            key=key,
            output_dir=output_dir,
            outputs=outputs,
            pages=pages,
            documents=[doc for doc, _ in documents if doc is not None],
            diagnostics=run.diagnostics,
            options=options,
            base_url=config.base_url,
            untouched=untouched(seen_outputs, output_dir, changed, removed),
        )

    if edited is not None and store is not None and snapshot is not None:
        quick = _quick(run, site, site_dir, output_dir, options, store, sources, baked, edited)
        if quick is not None:
            changed, rendered = quick
            run.diagnostics.extend(check_links(site, seen_outputs[1] or {}))
            stamp(seen_outputs[1] or {}, edited[1], changed, ())
            return BuildResult(
                output_dir,
                tuple(run.diagnostics),
                run.timings,
                changed=changed,
                site=site,
                parsed=counter[0] if counter else 0,
                rendered=rendered,
                base_url=config.base_url,
                patched=True,
                page_count=edited[1],
            )
    # No output yet: a new tree, which the render workers write their pages into (the
    # pages, 200 MB for 5,000 posts, do not travel back to this process to be written)
    tree = Tree.beside(output_dir) if not (output_dir / MANIFEST_NAME).is_file() else None
    try:
        with run.stage("render"):
            reuse = reuse_for(store, sources, site_dir, output_dir, config, options, tampered)
            _settle()
            files = _render(site, site_dir, run.diagnostics, reuse, baked, tree)
        if run.failed:
            return BuildResult(output_dir, tuple(run.diagnostics), run.timings, site=site)
        with run.stage("write"):
            try:
                previous = reuse.manifest if reuse is not None else None
                written = _write(
                    files, site, sources, site_dir, output_dir, options, previous, tree, store
                )
            except FileNotFoundError:  # a page reused from the last build was deleted by hand
                reuse = reuse_for(None, sources, site_dir, output_dir, config, options)
                files = _render(site, site_dir, [], reuse, baked)
                written = _write(files, site, sources, site_dir, output_dir, options, store=store)
            run.diagnostics.extend(written.diagnostics)
            if store is not None and reuse is not None and written.manifest is not None:
                entries = written.manifest.files
                store.put_outputs(
                    output_dir,
                    {
                        path: OutputRecord(record.fingerprint, entries[path].sha256)
                        for path, record in reuse.records.items()
                        if path in entries
                    },
                )
                store.put_values(output_dir, reuse.snapshot())
            if written.manifest is not None:
                run.diagnostics.extend(check_links(site, written.manifest.files))
            if snapshot is not None and written.manifest is not None and not run.failed:
                built = written.manifest.files
                pages = sum(1 for e in built.values() if e.kind == "html")
                stamp(built, pages, written.changed, written.removed)
        run.split("write", "search", written.search_seconds)
    finally:
        if tree is not None and tree.tmp.exists():
            tree.discard()  # not swapped in: the build failed
    return BuildResult(
        output_dir,
        tuple(run.diagnostics),
        run.timings,
        built=written.manifest,
        changed=written.changed,
        removed=written.removed,
        site=site,
        parsed=counter[0] if counter else 0,
        rendered=sum(1 for f in files if not f.reused),
        base_url=config.base_url,
    )


def _quick(
    run: _Run,
    site: Site,
    site_dir: Path,
    output_dir: Path,
    options: BuildOptions,
    store: BuildCache,
    sources: Sources,
    baked: Mapping[str, BakedThread],
    edited: tuple[frozenset[str], int],
) -> tuple[tuple[str, ...], int] | None:
    """The quick path (builder.quick) when it applies: the files it wrote and the pages
    it rendered; None when the build must take the normal path (nothing was written)."""
    from builder.incremental import reuse_for
    from builder.quick import write_quick
    from builder.render import render_edited
    from builder.render.env import compiled_templates
    from builder.search_index import QuickPathRefused, index_for_build

    with run.stage("render"):
        reuse = reuse_for(store, sources, site_dir, output_dir, site.config, options, outputs=False)
        try:
            theme_dir = resolve_theme(site.config.theme, site_dir)
        except ThemeError:
            return None
        rendered = None
        if reuse is not None:
            rendered = render_edited(
                site,
                theme_dir=theme_dir,
                baked=baked,
                reuse=reuse,
                edited=edited[0],
                compiled=compiled_templates(site_dir),
            )
    if rendered is None or reuse is None:
        return None
    with run.stage("write"):
        files, problems = rendered
        started = time.perf_counter()
        try:
            index = index_for_build(site, output_dir, options, store, sources, only=edited[0])
        except QuickPathRefused:
            return None
        searched = time.perf_counter() - started if index is not None else None
        files = [*files, *(index.files if index else ())]
        changed = write_quick(files, reuse, output_dir=output_dir, options=options, store=store)
    if changed is None:
        return None
    if index is not None:
        index.commit()
    run.split("write", "search", searched)
    run.diagnostics.extend(problems)
    return changed, len(files)


def _without_text(sources: Sources) -> Sources:
    """The sources with their texts dropped (paths and hashes kept), to save memory."""
    return replace(
        sources,
        posts=tuple(Source(s.path, "", s.sha256) for s in sources.posts),
        pages=tuple(Source(s.path, "", s.sha256) for s in sources.pages),
    )


def _write(
    files: list[OutputFile],
    site: Site,
    sources: Sources,
    site_dir: Path,
    output_dir: Path,
    options: BuildOptions,
    previous: Manifest | None = None,
    tree: Tree | None = None,
    store: BuildCache | None = None,
) -> WriteResult:
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
    )
    if index is None or written.manifest is None:
        return written
    index.commit()
    return replace(written, search_seconds=seconds)


def effective_config(config: SiteConfig, options: BuildOptions) -> SiteConfig:
    """The site config with this build's overrides (the preview server's base URL)."""
    if options.base_url is None:
        return config
    return config.model_copy(update={"base_url": options.base_url.rstrip("/")})


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


def _render(
    site: Site,
    site_dir: Path,
    diagnostics: list[Diagnostic],
    reuse: Reuse | None,
    baked: Mapping[str, BakedThread],
    tree: Tree | None = None,
) -> list[OutputFile]:
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


__all__ = ["STAGES", "BuildResult", "ParseCache", "Sources", "build_site"]
