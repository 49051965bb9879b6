"""One build in progress: how long each stage took and what problems they reported."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from builder.model import Diagnostic

STAGES = ("config", "load", "parse", "collect", "render", "write")
StageCallback = Callable[[str, int, int], None]  # (stage, index, number of stages)


class BuildRun:
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

    def split(self, stage: str, part: str, seconds: float | None) -> None:
        """Report `seconds` of `stage` as a stage of their own (the search index in write)."""
        if seconds is not None and stage in self.timings:
            self.timings[stage] = max(0.0, self.timings[stage] - seconds)
            self.timings[part] = seconds

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)
