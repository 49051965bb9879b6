"""Site search on a static host: Quire's own index under ``search/`` (builder.search_index).

Every build that may index updates the index with the pages, in time proportional to the
change. A build that keeps the previous index while pages changed (``--no-search``)
leaves a marker beside the output folder (`search_is_stale`); the next build that may
index catches up even when no page changed since, and removes it.
"""

from __future__ import annotations

from pathlib import Path

from builder.search_shards import SEARCH_DIR

__all__ = ["SEARCH_DIR", "clear_search_stale", "mark_search_stale", "search_is_stale"]


def search_is_stale(output_dir: Path) -> bool:
    """True when pages changed since the search index of `output_dir` was built."""
    return _stale_marker(output_dir).exists()


def mark_search_stale(output_dir: Path) -> None:
    """Record that the kept index misses pages about to be written."""
    _stale_marker(output_dir).touch()


def clear_search_stale(output_dir: Path) -> None:
    """The index covers the pages again (or there is no index to be behind)."""
    _stale_marker(output_dir).unlink(missing_ok=True)


def _stale_marker(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.search-stale"
