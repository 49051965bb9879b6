"""The persistent build cache in `<site>/.quire-cache/`: safe to delete, rebuilt on demand.

One SQLite file holds
- every post's parse result (front matter checked, Markdown rendered), keyed by the source
  path, the sha256 of its bytes and the parse settings, stored as marshalled plain values
  and JSON (never pickle: the cache lives in the site folder and must not be able to run
  code when read); a cold build's parse workers store their own results;
- per output folder, each output file's input fingerprint and sha256, so an incremental
  build knows which pages it need not render again.

The file is versioned by `cache_version()`: Quire's own code and the versions of the
libraries whose output lands in pages. Any difference discards the whole file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from builder.cache_bodies import BodyReader, read_body
from builder.cache_key import code_digest
from builder.cache_records import ParseResult, decode_record, encode_record

if TYPE_CHECKING:  # types only: the up-to-date check imports this module, not the parser
    from builder.markdown import FenceMemo
    from builder.parallel import ChunkHook

CACHE_DIR = ".quire-cache"
CACHE_FILE = "build.sqlite"
SCHEMA = 7
# libraries whose output ends up in pages: an upgrade must re-render everything
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "Pygments", "nh3", "Jinja2", "PyYAML")
ParseKey = tuple[str, str, str]  # (source path, source sha256, parse settings key)


@cache
def cache_version() -> str:
    """Quire's code and the render-affecting library versions, hashed."""
    digest = hashlib.sha256(f"schema {SCHEMA}\n".encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name} {metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} -\n".encode())
    digest.update(code_digest(Path(__file__).parent).encode())
    return digest.hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """What an output file was made from (its inputs' fingerprint) and what it holds."""

    fingerprint: str
    sha256: str


class BuildCache:
    """The cache file of one site; every method degrades to "nothing cached" on errors."""

    def __init__(self, site_dir: Path) -> None:
        self.path = site_dir / CACHE_DIR / CACHE_FILE
        self._db: sqlite3.Connection | None = None
        self._raw: dict[str, bytes] | None = None  # metadata of rows not yet decoded
        self._bodies = BodyReader(self.path)
        self._stored: set[str] = set()  # keys of every row in the file
        self._outputs: dict[Path, dict[str, OutputRecord]] = {}

    # -- connection -------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():  # the cache is never content: keep it out of git
                ignore.write_text("*\n", encoding="utf-8")
            db = self._open()
            row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            if row is not None and row[0] != cache_version():
                # Another Quire (or code) wrote it: start a new file. Dropping the tables
                # instead would rewrite every page of a 100 MB file (seconds).
                db.close()
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                db = self._open()
                row = None
            if row is None:
                with db:
                    db.execute("DELETE FROM meta")
                    db.execute("INSERT INTO meta VALUES ('version', ?)", (cache_version(),))
            # records and bodies apart: reading every record (each build that is not up to
            # date does) then scans 6 MB in order instead of 100 MB of rows with bodies
            db.execute("CREATE TABLE IF NOT EXISTS docs (key TEXT PRIMARY KEY, meta) WITHOUT ROWID")
            db.execute("CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, body TEXT)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS outputs (dir TEXT, path TEXT, fingerprint TEXT, "
                "sha256 TEXT, PRIMARY KEY (dir, path)) WITHOUT ROWID"
            )
        except (OSError, sqlite3.Error):
            return None
        self._db = db
        return db

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        return db

    def close(self) -> None:
        """Close the database file."""
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- parse results ----------------------------------------------------------------
    def get_parsed(self, key: ParseKey) -> ParseResult | None:
        """The cached parse result for `key`, or None. Its body is read when first used."""
        if self._raw is None:
            db = self._connect()
            try:
                rows = db.execute("SELECT key, meta FROM docs") if db else ()
                self._raw = dict(rows)
            except sqlite3.Error:
                self._raw = {}
            self._stored = set(self._raw)
        text_key = _key(key)
        meta = self._raw.pop(text_key, None)  # decoded once: do not keep two copies
        if meta is None:
            return None
        try:
            return decode_record(meta, partial(self._bodies.read, text_key))
        except (ValueError, KeyError, TypeError, EOFError):
            return None

    def fence_memo(self, paths: Iterable[str]) -> FenceMemo:
        """The code blocks of the cached, earlier versions of these files, highlighted.

        Call after `get_parsed` for this build's files: what it has not asked for are the
        earlier versions (the rows stay until `put_parsed` drops them).
        """
        wanted = tuple(f"{path}\0" for path in paths)
        where: dict[str, tuple[str, int, int]] = {}
        for key, meta in (self._raw or {}).items():
            if key.startswith(wanted):
                with contextlib.suppress(ValueError, TypeError, EOFError, IndexError):
                    record = marshal.loads(meta)[0]  # noqa: S302  # see decode_record
                    for fence, start, end in record[-1] if record else ():
                        where[fence] = (key, start, end)

        def known(fence: str) -> str | None:
            found = where.get(fence)
            db = self._connect()
            if found is None or db is None:
                return None
            key, start, end = found
            with contextlib.suppress(sqlite3.Error):
                row = db.execute(
                    "SELECT substr(body, ?, ?) FROM bodies WHERE key = ?",
                    (start + 1, end - start, key),
                ).fetchone()
                return str(row[0]) if row and row[0] else None
            return None

        return known

    def store_in_workers(self, keys: Sequence[ParseKey]) -> ChunkHook | None:
        """A hook for the forked parse workers (see parallel.run_indexed) parsing the
        sources of `keys`, in order: each worker stores its chunk's results in the file over
        a connection of its own and sends back documents whose bodies are read from the
        file when used. So the bodies (100 MB for 5,000 posts) are neither sent back nor
        written by this process. None when the file cannot be opened."""
        if self._connect() is None:
            return None
        path = self.path
        return lambda start, results: _store_chunk(path, keys[start:], results)

    def forget_parsed(self) -> None:
        """Drop every cached parse result (their bodies could not all be read back)."""
        db = self._connect()
        self._raw, self._stored = None, set()
        if db is not None:
            with contextlib.suppress(sqlite3.Error), db:
                db.execute("DELETE FROM docs")
                db.execute("DELETE FROM bodies")

    def put_parsed(self, items: Mapping[ParseKey, ParseResult], keep: Iterable[ParseKey]) -> None:
        """Store new parse results and drop entries of files that changed or went away."""
        db = self._connect()
        if db is None:
            return
        new: list[tuple[ParseKey, ParseResult]] = []
        kept: list[tuple[ParseKey, ParseResult]] = []
        for key, result in items.items():
            # a document whose body is read from the file was stored by a parse worker
            stored = result[0] is not None and not isinstance(result[0].body, str)
            (kept if stored else new).append((key, result))
        rows = _rows(new)
        self._stored.update(_key(key) for key, _ in kept)
        wanted = {_key(k) for k in keep}
        stale = [(k,) for k in self._stored if k not in wanted]
        if not rows and not stale:
            return
        try:
            with db:
                _insert(db, rows)
                db.executemany("DELETE FROM docs WHERE key = ?", stale)
                db.executemany("DELETE FROM bodies WHERE key = ?", stale)
        except sqlite3.Error:
            return
        self._stored.difference_update(k[0] for k in stale)
        self._stored.update(r[0] for r in rows)

    # -- stat records of sources ------------------------------------------------------
    def get_stats(self) -> tuple[dict[str, tuple[int, int, int, int, str]], int]:
        """The sources' stat records of the last build and when they were taken (ns)."""
        db = self._connect()
        try:
            row = (
                db.execute("SELECT value FROM meta WHERE key = 'stats'").fetchone() if db else None
            )
            if row is None:
                return {}, 0
            data = json.loads(row[0])
            records = {path: (r[0], r[1], r[2], r[3], r[4]) for path, r in data["files"].items()}
            return records, int(data["at"])
        except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError):
            return {}, 0

    def put_stats(self, records: Mapping[str, tuple[int, int, int, int, str]], at: int) -> None:
        """Remember the sources' stat records taken at `at` (time.time_ns())."""
        db = self._connect()
        if db is None:
            return
        data = json.dumps({"at": at, "files": records})
        with contextlib.suppress(sqlite3.Error), db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('stats', ?)", (data,))

    # -- output fingerprints ----------------------------------------------------------
    def get_outputs(self, output_dir: Path) -> dict[str, OutputRecord]:
        """What each output file of the last build into `output_dir` was made from."""
        db = self._connect()
        try:
            rows = (
                db.execute(
                    "SELECT path, fingerprint, sha256 FROM outputs WHERE dir = ?",
                    (_outputs_key(output_dir),),
                )
                if db
                else ()
            )
            records = {path: OutputRecord(fp, sha) for path, fp, sha in rows}
        except sqlite3.Error:
            return {}
        self._outputs[output_dir] = records
        return records

    def put_outputs(self, output_dir: Path, records: Mapping[str, OutputRecord]) -> None:
        """Remember each output file's fingerprint after a successful build (one row per
        file: an edit that changed three pages writes three rows)."""
        before = self._outputs.get(output_dir)
        if before is None:
            before = self.get_outputs(output_dir)
        db = self._connect()
        if db is None:
            return
        key = _outputs_key(output_dir)
        changed = [
            (key, path, r.fingerprint, r.sha256)
            for path, r in records.items()
            if before.get(path) != r
        ]
        gone = [(key, path) for path in before if path not in records]
        if not changed and not gone:
            return
        with contextlib.suppress(sqlite3.Error), db:
            db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?)", changed)
            db.executemany("DELETE FROM outputs WHERE dir = ? AND path = ?", gone)
        self._outputs[output_dir] = dict(records)

    def update_outputs(self, output_dir: Path, records: Mapping[str, OutputRecord]) -> None:
        """Record what these output files were made from, leaving every other one as is."""
        db = self._connect()
        if db is None:
            return
        key = _outputs_key(output_dir)
        rows = [(key, path, r.fingerprint, r.sha256) for path, r in records.items()]
        with contextlib.suppress(sqlite3.Error), db:
            db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?)", rows)
        self._outputs.pop(output_dir, None)

    # -- input values of the last build ----------------------------------------------
    def get_values(self, output_dir: Path) -> dict[str, str] | None:
        """Every input's value in the last build into `output_dir` (see Reuse.snapshot)."""
        db = self._connect()
        try:
            key = ("values:" + str(output_dir.resolve()),)
            row = db.execute("SELECT value FROM meta WHERE key = ?", key).fetchone() if db else None
            values = json.loads(row[0]) if row else None
        except (sqlite3.Error, ValueError):
            return None
        return values if isinstance(values, dict) else None

    def put_values(self, output_dir: Path, values: Mapping[str, str]) -> None:
        """Remember every input's value after a successful build."""
        db = self._connect()
        if db is None:
            return
        data = json.dumps(values, sort_keys=True)
        with contextlib.suppress(sqlite3.Error), db:
            key = "values:" + str(output_dir.resolve())
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, data))


_writer: tuple[int, sqlite3.Connection] | None = None  # a parse worker's connection


def _store_chunk(
    path: Path, keys: Sequence[ParseKey], results: list[ParseResult]
) -> list[ParseResult]:
    """In a parse worker: store `results` (made from the sources of `keys`) and point
    their documents' bodies at the file. On any error they go back whole, for the parent
    to store."""
    global _writer
    rows = _rows(zip(keys, results, strict=False))
    try:
        if _writer is None or _writer[0] != os.getpid():
            db = sqlite3.connect(path, timeout=30)
            db.execute("PRAGMA synchronous=NORMAL")
            _writer = (os.getpid(), db)
        with _writer[1] as db:
            _insert(db, rows)
    except sqlite3.Error:
        return results
    stored = {row[0] for row in rows}
    for key, (doc, _) in zip(keys, results, strict=False):
        if doc is not None and _key(key) in stored:
            object.__setattr__(doc, "body", partial(read_body, path, _key(key)))
    return results


def _rows(items: Iterable[tuple[ParseKey, ParseResult]]) -> list[tuple[str, bytes, str]]:
    """(key, record, body) rows for the results that can be stored (see encode_record)."""
    rows = []
    for key, result in items:
        encoded = encode_record(result)
        if encoded is not None:
            rows.append((_key(key), *encoded))
    return rows


def _insert(db: sqlite3.Connection, rows: Sequence[tuple[str, bytes, str]]) -> None:
    """Store (key, record, body) rows, within the caller's transaction."""
    db.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?)", [row[:2] for row in rows])
    db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)", [(k, b) for k, _, b in rows])


def _key(key: ParseKey) -> str:
    return "\0".join(key)


def _outputs_key(output_dir: Path) -> str:
    return "outputs:" + str(output_dir.resolve())
