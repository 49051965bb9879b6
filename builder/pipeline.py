"""`build_site`: the builder's stages in order, each timed, diagnostics collected together.

config -> load -> parse -> collect -> render -> write. Each stage is a function from plain
data to plain data; only load and write touch the disk. Errors from every stage that ran
are reported together; with any error, rendering and writing are skipped and the previous
output folder stays exactly as it was.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from builder.authors import parse_authors
from builder.budget import check_widget_budget
from builder.collect import collect_site
from builder.config import BuildOptions, ConfigError, SiteConfig, load_config
from builder.load import Sources, load_sources
from builder.manifest import Manifest, Thread
from builder.model import Diagnostic, Document, OutputFile, Site, Source
from builder.parse import ParseSettings, parse_source
from builder.render import render_site
from builder.themes import ThemeError, resolve_theme
from builder.write import SearchIndexer, recover_output, write_output

ParseResult = tuple[Document | None, list[Diagnostic]]
ParseCache = MutableMapping[tuple[str, str, str], ParseResult]  # (path, sha256, settings)
STAGES = ("config", "load", "parse", "collect", "render", "write")
StageCallback = Callable[[str, int, int], None]  # (stage, index, number of stages)
ItemCallback = Callable[[int, int], None]  # (files parsed so far, files to parse)


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did: diagnostics, per-stage timings and, on success, the manifest."""

    output_dir: Path
    diagnostics: tuple[Diagnostic, ...]
    timings: dict[str, float]  # stage -> seconds
    manifest: Manifest | None = None
    changed: tuple[str, ...] = ()  # output files new or rewritten
    removed: tuple[str, ...] = ()
    site: Site | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """True when the build succeeded and its output was swapped in."""
        return self.manifest is not None and not self.errors

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics that stopped the build."""
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The diagnostics that did not stop the build."""
        return tuple(d for d in self.diagnostics if d.severity == "warning")

    @property
    def pages(self) -> int:
        """How many HTML pages the build produced."""
        files = self.manifest.files.values() if self.manifest else ()
        return sum(1 for e in files if e.kind == "html")

    @property
    def seconds(self) -> float:
        """Total time of all stages."""
        return sum(self.timings.values())


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
) -> BuildResult:
    """Build the site in `site_dir` into its output folder.

    `parse_cache` (kept by the caller between builds, e.g. the preview server) skips
    re-parsing files whose bytes did not change.
    """
    options = options or BuildOptions()
    run = _Run(on_stage)
    with run.stage("config"):
        try:
            config = effective_config(load_config(site_dir), options)
        except ConfigError as exc:
            output_dir = options.output_dir or site_dir / "public"
            return BuildResult(output_dir, tuple(exc.diagnostics), run.timings)
    output_dir = options.output_dir or site_dir / config.output_dir
    recover_output(output_dir)  # a killed build must not leave the site without its output
    with run.stage("load"):
        sources, problems = load_sources(site_dir)
        run.diagnostics.extend(problems)
    with run.stage("parse"):
        documents = parse_all(
            [*sources.posts, *sources.pages],
            ParseSettings.from_config(config),
            parse_cache,
            on_parsed=on_parsed,
        )
        for _, problems in documents:
            run.diagnostics.extend(problems)
        authors, problems = parse_authors(sources.authors)
        run.diagnostics.extend(problems)
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
    with run.stage("render"):
        files = _render(site, site_dir, run.diagnostics)
    if run.failed:
        return BuildResult(output_dir, tuple(run.diagnostics), run.timings, site=site)
    with run.stage("write"):
        written = write_output(
            files,
            site_dir=site_dir,
            output_dir=output_dir,
            static_files=sources.static_files,
            threads=threads_of(site),
            redirects=redirects_of(site),
            base_url=config.base_url,
            search=_search_indexer(),
            keep_search=not options.search_index,  # index anyway when there is none yet
        )
        run.diagnostics.extend(written.diagnostics)
    return BuildResult(
        output_dir,
        tuple(run.diagnostics),
        run.timings,
        manifest=written.manifest,
        changed=written.changed,
        removed=written.removed,
        site=site,
    )


def effective_config(config: SiteConfig, options: BuildOptions) -> SiteConfig:
    """The site config with this build's overrides (the preview server's base URL)."""
    if options.base_url is None:
        return config
    return config.model_copy(update={"base_url": options.base_url.rstrip("/")})


def parse_all(
    sources: Sequence[Source],
    settings: ParseSettings,
    cache: ParseCache | None = None,
    *,
    on_parsed: ItemCallback | None = None,
) -> list[ParseResult]:
    """Parse every source, reusing `cache` entries for unchanged files.

    Each result depends only on (source.path, source.sha256, settings.key): the seam where
    a persistent cache and a process pool slot in for incremental builds.
    """
    results: list[ParseResult] = []
    keys = set()
    for done, source in enumerate(sources, start=1):
        key = (source.path, source.sha256, settings.key)
        keys.add(key)
        if cache is None:
            results.append(parse_source(source, settings))
        else:
            if key not in cache:
                cache[key] = parse_source(source, settings)
            results.append(cache[key])
        if on_parsed is not None and (done % 25 == 0 or done == len(sources)):
            on_parsed(done, len(sources))
    if cache is not None:
        for stale in set(cache) - keys:  # deleted or edited files: keep the cache small
            del cache[stale]
    return results


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


def _render(site: Site, site_dir: Path, diagnostics: list[Diagnostic]) -> list[OutputFile]:
    try:
        theme_dir = resolve_theme(site.config.theme, site_dir)
    except ThemeError as exc:
        diagnostics.append(Diagnostic("error", "quire.toml", str(exc), field="theme"))
        return []
    over_budget = check_widget_budget(theme_dir)  # a theme whose widgets grew fails here
    if over_budget is not None:
        diagnostics.append(over_budget)
    files, problems = render_site(site, theme_dir=theme_dir)
    diagnostics.extend(problems)
    return files


def _search_indexer() -> SearchIndexer | None:
    try:  # imported by name: the search module is optional until the theme ships it
        module = importlib.import_module("builder.search")
    except ImportError:
        return None
    return cast(SearchIndexer, module.build_search_index)


__all__ = ["STAGES", "BuildResult", "Sources", "build_site"]
