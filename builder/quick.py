"""The quick path: after editing only the bodies of a few posts, rewrite only their pages.

An author fixing a typo changes one post's body. Every other page shows that post only as
a card (title, link, dates, summary, tags, reading time: `Document.card`), so when the
card is unchanged, the only outputs that can differ are the post's own page and the
feeds that carry it (feeds hold whole posts). The normal incremental build finds that out
too, but only after walking every page's inputs and reading and writing the whole
manifest, which at 5,000 posts costs more than the edit itself. This path renders just
those files (render.render_edited) and rewrites their lines of the manifest (here).

It runs only when the up-to-date check saw nothing but Markdown files under content/
change (no file added, removed or renamed, no output touched by hand) and the render
stage confirms that only those sources changed. Whenever anything is unexpected, it gives
up before touching the output and the build takes the normal path. Like the staged write,
the files and the manifest are replaced all together or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from builder.cache import BuildCache, OutputRecord
from builder.config import BuildOptions
from builder.incremental import Reuse
from builder.manifest import MANIFEST_NAME, FileEntry, entry_in, lists_kind, with_entries
from builder.model import OutputFile
from builder.search import mark_search_stale
from builder.write_staged import apply_patch


def write_quick(
    files: Sequence[OutputFile],
    reuse: Reuse,
    *,
    output_dir: Path,
    options: BuildOptions,
    store: BuildCache,
) -> tuple[str, ...] | None:
    """Replace the files whose bytes changed and their manifest lines; the paths written,
    or None (nothing touched) when the manifest is not as expected or the search index
    would be rebuilt or dropped by a normal build."""
    try:
        text = (output_dir / MANIFEST_NAME).read_text(encoding="utf-8")
    except OSError:
        return None
    indexed = lists_kind(text, "search")
    searching = options.search_index and not options.skip_search
    if indexed != searching and not (indexed and not options.search_index):
        return None  # a normal build makes the index (or, with --no-search, drops it)
    entries: dict[str, FileEntry] = {}
    data: dict[str, bytes] = {}
    records: dict[str, OutputRecord] = {}
    for out in files:
        old = entry_in(text, out.path)
        # the search index's files are the index's own bookkeeping (builder.search_index)
        made = out.path in reuse.records or out.kind == "search"
        if old is None or old.kind != out.kind or not made:
            return None
        sha = hashlib.sha256(out.data).hexdigest()
        entry = FileEntry(sha, len(out.data), out.kind, tuple(sorted(set(out.inputs))))
        if entry != old:
            entries[out.path] = entry
        if (sha, len(out.data)) != (old.sha256, old.size):
            data[out.path] = out.data
        if out.path in reuse.records:
            records[out.path] = OutputRecord(reuse.records[out.path].fingerprint, sha)
    patched = with_entries(text, entries)
    if patched is None:
        return None
    if indexed and data and not searching:
        mark_search_stale(output_dir)  # as the normal path does: refreshed in the background
    if entries:
        apply_patch(output_dir, data, patched)
    store.update_outputs(output_dir, records)
    store.put_values(output_dir, reuse.snapshot())
    return tuple(sorted(data))
