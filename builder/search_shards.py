"""The search index's files: where each word's postings go, and the bytes of every file.

Layout under ``search/`` of the output (the reader is themes/default/static/js/search.js):

- ``meta.json``: the number of documents, the word shards (their keys), the tag and author
  filters with their counts. The first file a search loads.
- ``t/<key>.json``: a word shard: ``{word: [id, weight, id - previous id, weight, ...]}``
  for every indexed word that starts with the key and belongs to no longer key. A key is
  split into longer keys when its words hold more than `SHARD_POSTINGS` postings, so a
  query downloads a shard of bounded size whatever the site's size.
- ``d/<id>.json``: one document: URL, title, date, tags, authors and its text (excerpts).
- ``f/t-<slug>.json``, ``f/a-<key>.json``: the ids of the documents with that tag or
  author (downloaded only when the reader picks that filter).

Every file is a function of the index's contents alone (sorted keys, compact JSON), so
two builds of the same site write the same bytes, and a build that changed one post
rewrites the files that hold its words and nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from builder.search_text import Record

SEARCH_DIR = "search"  # the search page is search/index.html: the folder is Quire's already
META_PATH = f"{SEARCH_DIR}/meta.json"
SHARD_POSTINGS = 6_000  # about 30 KB of JSON, 10 KB gzipped
INDEX_VERSION = 1
_PLAIN = re.compile(r"[a-z0-9-]+")

Postings = dict[int, int]  # document id -> weight


def file_name(key: str) -> str:
    """A key (word prefix, tag slug) as a file name; the reader computes the same."""
    return key if _PLAIN.fullmatch(key) and key[0] != "-" else "_" + key.encode("utf-8").hex()


def shard_path(key: str) -> str:
    return f"{SEARCH_DIR}/t/{file_name(key)}.json"


def doc_path(doc_id: int) -> str:
    return f"{SEARCH_DIR}/d/{doc_id}.json"


def filter_path(kind: str, key: str) -> str:
    return f"{SEARCH_DIR}/f/{kind}-{file_name(key)}.json"


def layout(df: Mapping[str, int]) -> dict[str, str]:
    """Each word's shard key, from how many documents hold each word."""
    groups: dict[str, list[str]] = {}
    for word in sorted(df):
        groups.setdefault(word[0], []).append(word)
    placed: dict[str, str] = {}
    for first, group in groups.items():
        _place(first, group, df, placed)
    return placed


def _place(prefix: str, group: list[str], df: Mapping[str, int], placed: dict[str, str]) -> None:
    """Put the words of `group` (all starting with `prefix`) in `prefix`'s shard, or split."""
    if sum(df[w] for w in group) <= SHARD_POSTINGS or all(w == prefix for w in group):
        placed.update((w, prefix) for w in group)
        return
    children: dict[str, list[str]] = {}
    for word in group:
        if word == prefix:
            placed[word] = prefix  # the word itself keeps the key; longer words go deeper
        else:
            children.setdefault(word[: len(prefix) + 1], []).append(word)
    for child, words in children.items():
        _place(child, words, df, placed)


def group_of(word: str) -> str:
    """The layout is computed per first character: a word's changes move only its group."""
    return word[0]


def encode_shard(shard: Mapping[str, Postings]) -> bytes:
    """A shard's bytes: words sorted, ids ascending and delta-coded."""
    out: dict[str, list[int]] = {}
    for word in sorted(shard):
        flat: list[int] = []
        last = 0
        for doc_id, weight in sorted(shard[word].items()):
            flat += (doc_id - last, weight)
            last = doc_id
        out[word] = flat
    return _dump(out)


def decode_shard(data: bytes) -> dict[str, Postings]:
    """`encode_shard` undone."""
    shard: dict[str, Postings] = {}
    for word, flat in json.loads(data).items():
        postings: Postings = {}
        doc_id = 0
        for i in range(0, len(flat), 2):
            doc_id += flat[i]
            postings[doc_id] = flat[i + 1]
        shard[word] = postings
    return shard


def encode_doc(record: Record) -> bytes:
    return _dump(
        {
            "u": record.url,
            "t": record.title,
            "d": record.date,
            "g": [name for _, name in record.tags],
            "a": [name for _, name in record.authors],
            "x": record.text,
        }
    )


def encode_ids(ids: Iterable[int]) -> bytes:
    """A filter's documents: ascending ids, delta-coded."""
    flat, last = [], 0
    for doc_id in sorted(ids):
        flat.append(doc_id - last)
        last = doc_id
    return _dump(flat)


def encode_meta(
    docs: int, keys: Iterable[str], filters: Mapping[str, Mapping[str, tuple[str, int]]]
) -> bytes:
    """The index's table of contents: `filters` is kind -> key -> (display name, count)."""
    return _dump(
        {
            "v": INDEX_VERSION,
            "n": docs,
            "shards": sorted(set(keys)),
            "filters": {
                kind: sorted([name, key, count] for key, (name, count) in values.items())
                for kind, values in sorted(filters.items())
            },
        }
    )


def _dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
