"""The result of a publish, for humans (the CLI) and machines (`--json`, the worker)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class PublishReport:
    """What a publish did (or, with dry_run, would do)."""

    target: str
    dry_run: bool
    uploads: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    unchanged: int = 0
    invalidation_paths: list[str] = field(default_factory=list)
    invalidation_id: str | None = None
    puts: int = 0
    bytes_uploaded: int = 0
    seconds: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the publish completed."""
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        data = asdict(self)
        data["ok"] = self.ok
        return data
