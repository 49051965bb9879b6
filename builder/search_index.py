"""The site's search index, kept up to date by every build in time proportional to the change.

`update_index` compares each document's fingerprint with the stored state
(builder.search_state), re-makes the records of the documents that changed
(builder.search_text), and rewrites only the shards holding words whose postings
changed, the changed documents' files, the filters whose members changed and the table of
contents (builder.search_shards). The files go to the write stage with the pages, so
they are written, recorded in the manifest and published like any page. Without a
trusted state (first build, no cache, the index dropped or changed by hand) the index is
made from scratch: a function of the site alone, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from builder.manifest import FileEntry
from builder.model import Document, OutputFile, Site
from builder.parallel import run_indexed
from builder.search_shards import (
    META_PATH,
    Postings,
    decode_shard,
    doc_path,
    encode_doc,
    encode_ids,
    encode_meta,
    encode_shard,
    filter_path,
    group_of,
    layout,
    shard_path,
)
from builder.search_state import (
    Changes,
    DocState,
    State,
    load_state,
    load_weights,
    save_state,
    state_file,
)
from builder.search_text import Record, fingerprint, make_record

if TYPE_CHECKING:
    from builder.cache import BuildCache
    from builder.load import Sources
    from builder.options import BuildOptions

Filter = tuple[str, str, str]  # (kind, key, display name)


class QuickPathRefused(Exception):
    """The change cannot be written as changed files alone (a file must be removed)."""


@dataclass(slots=True)
class SearchUpdate:
    """The index files to write and the state to record once they are written."""

    files: list[OutputFile]
    changes: Changes
    state_path: Path | None

    def commit(self) -> None:
        """Record the new state: call after the files were written."""
        if self.state_path is not None:
            save_state(self.state_path, self.changes)


def index_for_build(
    site: Site,
    output_dir: Path,
    options: BuildOptions,
    store: BuildCache | None,
    sources: Sources,
    *,
    only: Collection[str] | None = None,
    old_files: Mapping[str, FileEntry] | None = None,
) -> SearchUpdate | None:
    """The index files of one build (see `update_index`); None when the previous index is
    kept as it is (`search_index=False`, unless there is none) or dropped (`skip_search`)."""
    if options.skip_search:
        return None
    if not options.search_index and (only or (old_files is not None and META_PATH in old_files)):
        return None
    shas = {s.path: s.sha256 for s in (*sources.posts, *sources.pages)}
    return update_index(
        site,
        output_dir=output_dir,
        cache_dir=store.path.parent if store is not None else None,
        source_shas=shas,
        only=only,
        old_files=old_files,
    )


def update_index(
    site: Site,
    *,
    output_dir: Path,
    cache_dir: Path | None,
    source_shas: Mapping[str, str],
    only: Collection[str] | None = None,
    old_files: Mapping[str, FileEntry] | None = None,
) -> SearchUpdate:
    """The index files this build changes.

    `only`: the sources that changed, when the caller knows nothing else did (the quick
    path): the files returned are then the changed ones alone. Otherwise the files of the
    whole index are returned, unchanged ones as `reused` (they must be in `old_files`,
    the previous manifest's entries), so that the write stage keeps them.
    """
    path = state_file(cache_dir, output_dir) if cache_dir is not None else None
    state = load_state(path, output_dir) if path is not None else None
    if state is not None and (only is not None or old_files is not None):
        try:
            return _update(site, state, path, output_dir, source_shas, only, old_files)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a shard unreadable or missing: the index is made again below
    return _update(site, State(), path, output_dir, source_shas, None, None)


@dataclass(slots=True)
class _Work:
    """One update in progress."""

    state: State
    docs: dict[str, Document]  # every document indexed, by URL
    records: dict[str, Record]  # the changed documents' new records
    old_weights: dict[str, dict[str, int]]  # their (and the deleted ones') old weights
    gone: list[str]
    changes: Changes
    old_ids: dict[str, int]  # the stored ids of the documents in `old_weights`
    old_filters: dict[str, tuple[Filter, ...]]  # the stored filters of the changed ones
    names: dict[str, str]  # author key -> display name
    table: dict[str, dict[str, tuple[str, int]]] | None = None  # see _filter_table


def _update(
    site: Site,
    state: State,
    path: Path | None,
    output_dir: Path,
    source_shas: Mapping[str, str],
    only: Collection[str] | None,
    old_files: Mapping[str, FileEntry] | None,
) -> SearchUpdate:
    fresh = not state.docs and not state.written
    names = {key: author.name for key, author in site.authors.items()}
    docs = {doc.url: doc for doc in (*site.posts, *site.pages)}
    changed: list[Document] = []
    prints: dict[str, str] = {}
    for url, doc in docs.items():
        if only is not None and doc.source not in only:
            continue
        prints[url] = fingerprint(doc, source_shas.get(doc.source, ""), names)
        known = state.docs.get(url)
        if known is None or known.fingerprint != prints[url]:
            changed.append(doc)
    gone = [] if only is not None else sorted(set(state.docs) - set(docs))
    stored = [d.url for d in changed if d.url in state.docs] + gone
    work = _Work(
        old_ids={url: state.docs[url].doc_id for url in stored},
        old_filters={url: state.docs[url].filters for url in stored},
        names=names,
        state=state,
        docs=docs,
        records=_records(changed, names),
        old_weights=load_weights(path, stored) if path is not None and stored else {},
        gone=gone,
        changes=Changes(fresh=fresh),
    )
    _assign(work, prints)
    files = _shards(work, output_dir, complete=only is None)
    files += _doc_files(work, complete=only is None)
    files += _filters(work, complete=only is None)
    meta = encode_meta(len(docs), state.keys, _filter_table(work))
    files.append(OutputFile(META_PATH, meta, "search"))
    work.changes.written = {
        f.path: hashlib.sha256(f.data).hexdigest() for f in files if not f.reused
    }
    if old_files is not None and any(f.reused and f.path not in old_files for f in files):
        raise KeyError("an index file of the last build is missing from its manifest")
    return SearchUpdate(files, work.changes, path)


def _records(changed: list[Document], names: dict[str, str]) -> dict[str, Record]:
    """The new records, made across processes when many (a cold build: every page)."""
    made = run_indexed(lambda i: make_record(changed[i], names), len(changed), min_jobs=256)
    return {record.url: record for record in made}


def _assign(work: _Work, prints: Mapping[str, str]) -> None:
    """Give new documents ids (the lowest free), and update the state in memory."""
    state, changes = work.state, work.changes
    for url in work.gone:
        del state.docs[url]
        changes.gone.append(url)
    used = {d.doc_id for d in state.docs.values()}
    free = (i for i in range(len(used) + len(work.records) + 1) if i not in used)
    for url in work.docs:  # the site's order: a cold build numbers the posts oldest first
        record = work.records.get(url)
        if record is None:
            continue
        known = state.docs.get(url)
        doc_id = known.doc_id if known is not None else next(free)
        filters = [("t", s, n) for s, n in record.tags] + [("a", k, n) for k, n in record.authors]
        state.docs[url] = DocState(doc_id, prints[url], json.dumps(filters, ensure_ascii=False))
        changes.put[url] = (state.docs[url], record.weights)


def _deltas(work: _Work) -> tuple[dict[str, dict[int, int]], dict[str, int]]:
    """word -> document id -> new weight (0: no longer held); word -> change of its count."""
    deltas: dict[str, dict[int, int]] = {}
    counts: dict[str, int] = {}
    for url in sorted({*work.old_weights, *work.records}):
        old = work.old_weights.get(url, {})
        new = work.records[url].weights if url in work.records else {}
        doc_id = work.old_ids.get(url)
        if doc_id is None:
            doc_id = work.state.docs[url].doc_id
        if not old:  # a new document (every one, in a new index): the quick loop
            for word, weight in new.items():
                deltas.setdefault(word, {})[doc_id] = weight
                counts[word] = counts.get(word, 0) + 1
            continue
        for word in old.keys() | new.keys():
            weight = new.get(word, 0)
            if old.get(word, 0) != weight:
                deltas.setdefault(word, {})[doc_id] = weight
                counts[word] = counts.get(word, 0) + (word in new) - (word in old)
    return deltas, counts


def _shards(work: _Work, output_dir: Path, *, complete: bool) -> list[OutputFile]:
    """The word shards to write (and, when `complete`, the others as reused)."""
    state = work.state
    deltas, counts = _deltas(work)
    old_df = dict(state.df)
    for word, change in counts.items():
        after = old_df.get(word, 0) + change
        work.changes.df[word] = max(after, 0)
        if after > 0:
            state.df[word] = after
        else:
            state.df.pop(word, None)
    groups = {group_of(w) for w in deltas}
    old_layout = layout({w: n for w, n in old_df.items() if group_of(w) in groups})
    new_layout = layout({w: n for w, n in state.df.items() if group_of(w) in groups})
    keys = set(new_layout.values())
    dirty = {new_layout[w] for w in deltas if w in new_layout}
    dirty |= {k for w, k in new_layout.items() if old_layout.get(w) != k}
    dirty |= {old_layout[w] for w in deltas if w in old_layout and old_layout[w] in keys}
    if not complete and not set(old_layout.values()) <= keys:
        raise QuickPathRefused("a shard is left without words: the index must drop it")
    load = {old_layout[w] for w, k in new_layout.items() if k in dirty and w in old_layout}
    postings: dict[str, Postings] = {}
    for key in sorted(load):
        postings.update(decode_shard((output_dir / shard_path(key)).read_bytes()))
    for word, per_doc in deltas.items():
        held = postings.setdefault(word, {})
        for doc_id, weight in per_doc.items():
            if weight:
                held[doc_id] = weight
            else:
                held.pop(doc_id, None)
    shards: dict[str, dict[str, Postings]] = {key: {} for key in dirty}
    for word, key in new_layout.items():
        if key in dirty:
            shards[key][word] = postings[word]
    state.keys = (state.keys - set(old_layout.values())) | keys
    work.changes.keys = sorted(state.keys)
    files = [
        OutputFile(shard_path(k), encode_shard(s), "search") for k, s in sorted(shards.items())
    ]
    if complete:
        kept = state.keys - dirty
        files += [OutputFile(shard_path(k), b"", "search", reused=True) for k in sorted(kept)]
    return files


def _doc_files(work: _Work, *, complete: bool) -> list[OutputFile]:
    """The changed documents' files (and, when `complete`, the others as reused)."""
    files = []
    for url, doc in work.docs.items():
        doc_id = work.state.docs[url].doc_id
        record = work.records.get(url)
        if record is not None:
            files.append(OutputFile(doc_path(doc_id), encode_doc(record), "search", (doc.source,)))
        elif complete:
            files.append(OutputFile(doc_path(doc_id), b"", "search", (doc.source,), reused=True))
    return files


def _filters_of(work: _Work, doc: Document) -> list[tuple[str, str, str]]:
    """A document's filters as (kind, key, display name), from the document itself."""
    names = work.names
    return [("t", t.slug, t.name) for t in doc.tags] + [
        ("a", a, names.get(a, a)) for a in doc.authors
    ]


def _filters(work: _Work, *, complete: bool) -> list[OutputFile]:
    """The filter files whose members may have changed (and the others as reused)."""
    touched: set[tuple[str, str]] = set()
    for url in {*work.records, *work.gone}:
        before = work.old_filters.get(url, ())
        after = work.state.docs[url].filters if url in work.state.docs else ()
        if set(before) != set(after):
            touched |= {(kind, key) for kind, key, _ in (*before, *after)}
    members: dict[tuple[str, str], list[int]] = {}
    if touched:
        for url, doc in work.docs.items():
            for kind, key, _ in _filters_of(work, doc):
                if (kind, key) in touched:
                    members.setdefault((kind, key), []).append(work.state.docs[url].doc_id)
    files = [
        OutputFile(filter_path(kind, key), encode_ids(ids), "search")
        for (kind, key), ids in sorted(members.items())
    ]
    if complete:
        table = _filter_table(work)
        files += [
            OutputFile(filter_path(kind, key), b"", "search", reused=True)
            for kind in sorted(table)
            for key in sorted(table[kind])
            if (kind, key) not in touched
        ]
    return files


def _filter_table(work: _Work) -> dict[str, dict[str, tuple[str, int]]]:
    """kind -> key -> (display name, documents), for the table of contents."""
    if work.table is not None:
        return work.table
    table: dict[str, dict[str, tuple[str, int]]] = {"a": {}, "t": {}}
    for doc in work.docs.values():
        for kind, key, name in _filters_of(work, doc):
            known, count = table[kind].get(key, (name, 0))
            table[kind][key] = (min(known, name), count + 1)
    work.table = table
    return table
