"""What the search index of one output folder was made from, kept in the build cache.

For each document: its id in the index, the fingerprint of what its record was made from
(builder.search_text.fingerprint), its tags and authors and its words' weights; for each
word, how many documents hold it (which decides the shard layout). With it, a build
that changed one post re-makes that post's record only and rewrites the shards its old
and new words are in. `written` lists the index files the last update changed: when the
output's manifest does not show them (the write failed, the index was dropped or
replaced by hand), the state is not trusted and the index is made again from scratch.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from builder.manifest import MANIFEST_NAME, entry_in

STATE_VERSION = "2"
_FEW = 32  # up to this many files are checked one line of the manifest at a time


@dataclass(slots=True)
class DocState:
    doc_id: int
    fingerprint: str
    raw_filters: str  # JSON: [[kind, key, display name], ...]; parsed when needed

    @property
    def filters(self) -> tuple[tuple[str, str, str], ...]:
        return tuple((k, key, name) for k, key, name in json.loads(self.raw_filters))


@dataclass(slots=True)
class State:
    docs: dict[str, DocState] = field(default_factory=dict)  # by URL
    df: dict[str, int] = field(default_factory=dict)  # word -> documents holding it
    written: dict[str, str] = field(default_factory=dict)  # path -> sha256
    keys: set[str] = field(default_factory=set)  # the word shards' keys


def state_file(cache_dir: Path, output_dir: Path) -> Path:
    """One file per output folder (a preview and a build of the same site differ)."""
    key = hashlib.sha256(str(output_dir.resolve()).encode()).hexdigest()[:16]
    return cache_dir / f"search-{key}.sqlite"


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS docs (url TEXT PRIMARY KEY, id INTEGER, fp TEXT, "
        "filters TEXT, weights TEXT)"
    )
    db.execute("CREATE TABLE IF NOT EXISTS df (word TEXT PRIMARY KEY, n INTEGER)")
    return db


def load_state(path: Path, output_dir: Path) -> State | None:
    """The state, when the output's manifest shows the last update it recorded."""
    try:
        manifest = (output_dir / MANIFEST_NAME).read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        with contextlib.closing(_open(path)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta"))
            if meta.get("version") != STATE_VERSION or "written" not in meta:
                return None
            written: dict[str, str] = json.loads(meta["written"])
            if not _shows(manifest, written):
                return None
            state = State(written=written, keys=set(json.loads(meta.get("keys", "[]"))))
            for url, doc_id, fp, filters in db.execute("SELECT url, id, fp, filters FROM docs"):
                state.docs[url] = DocState(doc_id, fp, filters)
            state.df = dict(db.execute("SELECT word, n FROM df"))
            return state
    except (sqlite3.Error, OSError, ValueError, TypeError):
        return None


def _shows(manifest: str, written: dict[str, str]) -> bool:
    """Whether the manifest (its text) lists these files with these digests."""
    if len(written) <= _FEW:  # an edit: look up its lines alone (the manifest is large)
        entries = {rel: entry_in(manifest, rel) for rel in written}
        return all(e is not None and e.sha256 == written[rel] for rel, e in entries.items())
    files = json.loads(manifest).get("files", {})
    return all(files.get(rel, {}).get("sha256") == sha for rel, sha in written.items())


def load_weights(path: Path, urls: list[str]) -> dict[str, dict[str, int]]:
    """The stored word weights of these documents."""
    out: dict[str, dict[str, int]] = {}
    with contextlib.closing(_open(path)) as db:
        for start in range(0, len(urls), 500):
            chunk = urls[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT url, weights FROM docs WHERE url IN ({marks})", chunk)  # noqa: S608
            out.update((url, json.loads(weights)) for url, weights in rows)
    return out


@dataclass(slots=True)
class Changes:
    """What one update changes in the state."""

    put: dict[str, tuple[DocState, dict[str, int]]] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)
    df: dict[str, int] = field(default_factory=dict)  # 0: the word is gone
    written: dict[str, str] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    fresh: bool = False  # a new index: forget everything stored before


def save_state(path: Path, changes: Changes) -> None:
    """Apply `changes` (after the output was written); on any error drop the file, so the
    next build makes the index from scratch rather than trust a half-saved state."""
    try:
        with contextlib.closing(_open(path)) as db, db:
            if changes.fresh:
                db.execute("DELETE FROM docs")
                db.execute("DELETE FROM df")
            db.executemany("DELETE FROM docs WHERE url = ?", [(u,) for u in changes.gone])
            db.executemany(
                "INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?)",
                [
                    (url, d.doc_id, d.fingerprint, d.raw_filters, json.dumps(weights))
                    for url, (d, weights) in changes.put.items()
                ],
            )
            db.executemany(
                "DELETE FROM df WHERE word = ?", [(w,) for w, n in changes.df.items() if n == 0]
            )
            db.executemany(
                "INSERT OR REPLACE INTO df VALUES (?, ?)",
                [(w, n) for w, n in changes.df.items() if n > 0],
            )
            db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (STATE_VERSION,))
            db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('keys', ?)", (json.dumps(changes.keys),)
            )
            db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('written', ?)",
                (json.dumps(changes.written, sort_keys=True),),
            )
    except (sqlite3.Error, OSError):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
