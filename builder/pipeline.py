"""`build_site`: the builder's stages in order, each timed, diagnostics collected together.

config -> load -> parse -> collect -> render -> write. Each stage is a function from plain
data to plain data; only load and write touch the disk. Errors from every stage that ran
are reported together; with any error, rendering and writing are skipped and the previous
output folder stays exactly as it was.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from builder.authors import parse_authors
from builder.build_result import BuildResult
from builder.build_run import STAGES, BuildRun, StageCallback
from builder.cache import BuildCache
from builder.cache_bodies import StaleCacheError
from builder.links import check_links  # light: the model and the standard library
from builder.load import Sources, read_source
from builder.manifest import MANIFEST_NAME
from builder.model import Author, Document, Site
from builder.options import BuildOptions
from builder.parse_stage import ItemCallback, ParseCache, parse_all
from builder.stages import (
    effective_config,
    load_stage,
    record_outputs,
    render_stage,
    without_text,
    write_stage,
)
from builder.uptodate import (
    SeenOutputs,
    Snapshot,
    aware,
    check,
    record_build,
    search_due,
    seen_in,
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
    from builder.write import WriteResult

# the sources edited since the last build (when nothing else changed) and its page count
Edited = tuple[frozenset[str], int] | None


@dataclass(slots=True)
class _Request:
    """One call of `build_site`, with what the up-to-date check found before it."""

    site_dir: Path
    options: BuildOptions
    store: BuildCache | None
    on_stage: StageCallback | None
    on_parsed: ItemCallback | None
    parse_cache: ParseCache | None
    baked: Mapping[str, BakedThread]
    key: str  # the up-to-date check's key of the options and baked comments
    tampered: frozenset[str] = frozenset()  # output files changed by hand since the last build
    taken: Snapshot | None = None  # the inputs' stats, as the check took them
    seen_outputs: SeenOutputs = (None, None)
    edited: Edited = None


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
    options = options or BuildOptions()
    baked = baked or {}
    request = _Request(
        site_dir, options, None, on_stage, on_parsed, parse_cache, baked, stamp_key(options, baked)
    )
    with _fewer_collections():
        return _build_site(request)


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


def _build_site(request: _Request) -> BuildResult:
    site_dir, options = request.site_dir, request.options
    if options.cache:
        start = time.perf_counter()
        freshness = check(site_dir, request.key, aware(options.now))
        fresh = freshness.current
        request.tampered, request.taken = freshness.tampered, freshness.snapshot
        request.seen_outputs = (freshness.output_dir, freshness.outputs)
        if freshness.edited:
            request.edited = (freshness.edited, freshness.pages)
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
        request.store = BuildCache(site_dir)
    store, parse_cache = request.store, request.parse_cache
    try:
        try:
            return _build(request)
        except StaleCacheError:  # the cache was deleted or reset under this build
            if store is not None:
                store.forget_parsed()
            if parse_cache is not None:
                parse_cache.clear()
            return _build(request)
    finally:
        if store is not None:
            store.close()


def _settle() -> None:
    """Move what the build holds for its whole length (documents, the last manifest) out
    of the garbage collector's sight: with thousands of them alive, every full collection
    would walk them all again (a tenth of a second each) and find nothing."""
    gc.freeze()


def _build(request: _Request) -> BuildResult:
    from builder.collect import collect_site
    from builder.config import ConfigError, load_config
    from builder.write import recover_output

    site_dir, options, store = request.site_dir, request.options, request.store
    run = BuildRun(request.on_stage)
    with run.stage("config"):
        try:
            config = effective_config(load_config(site_dir), options)
        except ConfigError as exc:
            output_dir = options.output_dir or site_dir / "public"
            return BuildResult(output_dir, tuple(exc.diagnostics), run.timings)
        snapshot = snapshot_for(site_dir, config.theme, request.taken) if store else None
    output_dir = options.output_dir or site_dir / config.output_dir
    recover_output(output_dir)  # a killed build must not leave the site without its output
    with run.stage("load"):
        sources = load_stage(run, site_dir, store, snapshot)
    with run.stage("parse"):
        documents, authors, parsed = _parse(run, request, sources, config)
        sources = without_text(sources)  # parsed: the texts are not needed any more
        _settle()
    with run.stage("collect"):
        site, problems = collect_site(
            documents,
            authors=authors,
            config=config,
            options=options,
            static_files=sources.static_files,
        )
        run.diagnostics.extend(problems)
    if run.failed:
        return BuildResult(output_dir, tuple(run.diagnostics), run.timings, site=site)
    done = _Done(request, run, site, output_dir, snapshot, documents, parsed)
    if request.edited is not None and store is not None and snapshot is not None:
        quick = _quick(done, sources, request.edited)
        if quick is not None:
            return quick
    return _render_and_write(done, sources)


def _parse(
    run: BuildRun, request: _Request, sources: Sources, config: SiteConfig
) -> tuple[list[Document], dict[str, Author], int]:
    """The documents (parsed, or as the cache keeps them), the authors, and how many
    sources were parsed."""
    from builder.parse import ParseSettings

    counter: list[int] = []
    site_dir = request.site_dir
    results = parse_all(
        [*sources.posts, *sources.pages],
        ParseSettings.from_config(config),
        request.parse_cache,
        on_parsed=request.on_parsed,
        store=request.store,
        counter=counter,
        reread=lambda source: read_source(site_dir, source.path)[0] or source,
    )
    for _, problems in results:
        run.diagnostics.extend(problems)
    authors, problems = parse_authors(sources.authors)
    run.diagnostics.extend(problems)
    documents = [doc for doc, _ in results if doc is not None]
    return documents, authors, counter[0] if counter else 0


@dataclass(frozen=True, slots=True)
class _Done:
    """A build whose sources are collected without errors, ready to render and write."""

    request: _Request
    run: BuildRun
    site: Site
    output_dir: Path
    snapshot: Snapshot | None
    documents: list[Document]
    parsed: int  # sources parsed (not taken from a cache)

    def stamp(
        self, outputs: Iterable[str], pages: int, changed: Iterable[str], removed: Iterable[str]
    ) -> None:
        """Record this successful build for the next up-to-date check."""
        request = self.request
        if self.snapshot is None:
            return
        record_build(
            request.site_dir,
            self.snapshot,
            key=request.key,
            output_dir=self.output_dir,
            outputs=outputs,
            pages=pages,
            documents=self.documents,
            diagnostics=self.run.diagnostics,
            options=request.options,
            base_url=self.site.config.base_url,
            untouched=untouched(request.seen_outputs, self.output_dir, changed, removed),
        )


def _quick(done: _Done, sources: Sources, edited: tuple[frozenset[str], int]) -> BuildResult | None:
    """The quick path after body edits (builder.quick); None when it does not apply."""
    from builder.quick import quick_build

    request, run, site = done.request, done.run, done.site
    assert request.store is not None
    quick = quick_build(
        run,
        site,
        request.site_dir,
        done.output_dir,
        request.options,
        request.store,
        sources,
        request.baked,
        edited[0],
    )
    if quick is None:
        return None
    changed, rendered = quick
    outputs = request.seen_outputs[1] or {}
    run.diagnostics.extend(check_links(site, outputs))
    done.stamp(outputs, edited[1], changed, ())
    return BuildResult(
        done.output_dir,
        tuple(run.diagnostics),
        run.timings,
        changed=changed,
        site=site,
        parsed=done.parsed,
        rendered=rendered,
        base_url=site.config.base_url,
        patched=True,
        page_count=edited[1],
    )


def _render_and_write(done: _Done, sources: Sources) -> BuildResult:
    """The render and write stages: the pages whose inputs changed rendered, the files
    whose bytes changed written (everything, into a new tree, when there is no output)."""
    from builder.incremental import reuse_for
    from builder.write import Tree

    request, run, site, output_dir = done.request, done.run, done.site, done.output_dir
    site_dir, options, store = request.site_dir, request.options, request.store
    # No output yet: a new tree, which the render workers write their pages into (the
    # pages, 200 MB for 5,000 posts, do not travel back to this process to be written)
    tree = Tree.beside(output_dir) if not (output_dir / MANIFEST_NAME).is_file() else None
    try:
        with run.stage("render"):
            reuse = reuse_for(
                store, sources, site_dir, output_dir, site.config, options, request.tampered
            )
            _settle()
            files = render_stage(site, site_dir, run.diagnostics, reuse, request.baked, tree)
        if run.failed:
            return BuildResult(output_dir, tuple(run.diagnostics), run.timings, site=site)
        with run.stage("write"):
            stage = (site, sources, site_dir, output_dir, options)
            try:
                previous = reuse.manifest if reuse is not None else None
                present = seen_in(request.seen_outputs, output_dir)  # not stat-ed again
                written = write_stage(files, *stage, previous, tree, store, present)
            except FileNotFoundError:  # a page reused from the last build was deleted by hand
                reuse = reuse_for(None, sources, site_dir, output_dir, site.config, options)
                files = render_stage(site, site_dir, [], reuse, request.baked)
                written = write_stage(files, *stage, store=store)
            _after_write(done, written, reuse)
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
        parsed=done.parsed,
        rendered=sum(1 for f in files if not f.reused),
        base_url=site.config.base_url,
    )


def _after_write(done: _Done, written: WriteResult, reuse: Reuse | None) -> None:
    """What the written output tells: its problems and broken links, kept for the next
    build (what each file was made from, the up-to-date stamp)."""
    run, store, manifest = done.run, done.request.store, written.manifest
    run.diagnostics.extend(written.diagnostics)
    if manifest is None:
        return
    if store is not None and reuse is not None:
        record_outputs(store, done.output_dir, reuse, manifest)
    run.diagnostics.extend(check_links(done.site, manifest.files))
    if not run.failed:
        pages = sum(1 for e in manifest.files.values() if e.kind == "html")
        done.stamp(manifest.files, pages, written.changed, written.removed)


__all__ = ["STAGES", "BuildResult", "ParseCache", "Sources", "build_site", "effective_config"]
