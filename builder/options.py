"""The options of one build (`BuildOptions`), apart from the site's settings.

Kept out of builder.config, whose settings model needs Pydantic: the up-to-date check and
the command line only need these, and a build that finds nothing changed should not pay
for importing Pydantic. builder.config re-exports the class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How one build runs: what to include and where to write."""

    drafts: bool = False
    future: bool = False
    output_dir: Path | None = None  # overrides quire.toml's output_dir
    base_url: str | None = None  # overrides quire.toml's base_url (the preview server's own)
    # False: keep the previous build's search index as it is instead of updating it (one
    # is made when there is none)
    search_index: bool = True
    # do not run the indexer; an existing index is dropped unless `search_index` is False
    # (then it is kept as it is: `quire build --no-search`)
    skip_search: bool = False
    # use and update the build cache in <site>/.quire-cache (parse results, page inputs)
    cache: bool = True
    now: datetime = field(default_factory=lambda: datetime.now(UTC))  # "future" is after this
