"""Stage 2 over a whole site: every source parsed once, reusing what earlier builds parsed.

A source's parse result depends only on (path, sha256 of its bytes, parse settings), so
it is taken from the preview server's memory (`ParseCache`) or from the build cache file
when either has it; the rest are parsed, across processes when there are many.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from typing import TYPE_CHECKING

from builder.cache import BuildCache
from builder.model import Diagnostic, Document, Source

if TYPE_CHECKING:
    from builder.parse import ParseSettings

ParseResult = tuple[Document | None, list[Diagnostic]]
ParseCache = MutableMapping[tuple[str, str, str], ParseResult]  # (path, sha256, settings)
ItemCallback = Callable[[int, int], None]  # (files parsed so far, files to parse)


def parse_all(
    sources: Sequence[Source],
    settings: ParseSettings,
    cache: ParseCache | None = None,
    *,
    on_parsed: ItemCallback | None = None,
    store: BuildCache | None = None,
    counter: list[int] | None = None,
    reread: Callable[[Source], Source] | None = None,
) -> list[ParseResult]:
    """Parse every source, reusing `cache` (memory) and `store` (disk) entries.

    Each result depends only on (source.path, source.sha256, settings.key). The sources
    found in neither are parsed across processes when there are many. `counter` receives
    how many were parsed; `reread` reads a source that was loaded without its text.
    """
    from builder.parallel import POOL_MIN_JOBS, parse_many  # the parser: only when parsing

    key_of_settings = settings.key
    keys = [(source.path, source.sha256, key_of_settings) for source in sources]
    results: list[ParseResult | None] = []
    for key in keys:
        hit = cache.get(key) if cache is not None else None
        if hit is None and store is not None:
            hit = store.get_parsed(key)
        results.append(hit)
    missing = [index for index, hit in enumerate(results) if hit is None]
    hits, total = len(sources) - len(missing), len(sources)
    if on_parsed is not None and hits:
        on_parsed(hits, total)

    def progress(done: int) -> None:
        if on_parsed is not None:
            on_parsed(hits + done, total)

    todo = [sources[i] for i in missing]
    if reread is not None:
        todo = [source if source.loaded else reread(source) for source in todo]
    # an edit of a few posts: their code blocks as the last build highlighted them
    few = 0 < len(todo) < POOL_MIN_JOBS
    memo = store.fence_memo(s.path for s in todo) if store is not None and few else None
    hook = None
    if store is not None and len(todo) >= POOL_MIN_JOBS:
        hook = store.store_in_workers([keys[i] for i in missing])
    parsed = parse_many(todo, settings, on_progress=progress, fences=memo, in_worker=hook)
    if missing:
        progress(len(parsed))
    for index, result in zip(missing, parsed, strict=True):
        results[index] = result
    done = [r for r in results if r is not None]
    if cache is not None:
        for doc, _ in done:  # kept in memory between builds: not tied to the cache file
            if doc is not None:
                doc.body_html  # noqa: B018  # reads a lazily loaded body now
        cache.clear()  # deleted or edited files: keep only what this build used
        cache.update(zip(keys, done, strict=True))
    if store is not None:
        store.put_parsed({keys[i]: done[i] for i in missing}, keys)
    if counter is not None:
        counter.append(len(missing))
    return done
