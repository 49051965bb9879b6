"""What a build did (`BuildResult`), as `build_site` returns it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from builder.manifest import Manifest, ManifestError, read_manifest
from builder.model import Diagnostic, Site

SAME_WARNING_SHOWN = 3  # files listed for a warning before the others are counted


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did: diagnostics, per-stage timings and, on success, the manifest."""

    output_dir: Path
    diagnostics: tuple[Diagnostic, ...]
    timings: dict[str, float]  # stage -> seconds
    built: Manifest | None = field(default=None, repr=False)  # the manifest it wrote
    changed: tuple[str, ...] = ()  # output files new or rewritten
    removed: tuple[str, ...] = ()
    site: Site | None = field(default=None, repr=False)
    parsed: int = 0  # sources parsed (Markdown rendered) by this build, not from a cache
    rendered: int = 0  # output files rendered by this build (the rest were unchanged)
    base_url: str = ""  # the site's base URL as built
    up_to_date: bool = False  # nothing had changed: the output was left as it was
    patched: bool = False  # the quick path rewrote a few pages and lines of the manifest
    page_count: int = 0  # HTML pages in the output (known without the manifest when up to date)

    @property
    def manifest(self) -> Manifest | None:
        """The output's manifest on success (read from disk when the build was up to date,
        on first use: callers that only want to know whether it worked do not pay for it)."""
        if self.built is None and (self.up_to_date or self.patched):
            object.__setattr__(self, "built", _manifest_or_none(self.output_dir))
        return self.built

    @property
    def ok(self) -> bool:
        """True when the build succeeded and its output was swapped in."""
        return (self.up_to_date or self.patched or self.built is not None) and not self.errors

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics that stopped the build."""
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The diagnostics that did not stop the build."""
        return tuple(d for d in self.diagnostics if d.severity == "warning")

    @property
    def pages(self) -> int:
        """How many HTML pages the build produced (or, up to date, the last build did)."""
        if (self.up_to_date or self.patched) and self.built is None:
            return self.page_count
        files = self.manifest.files.values() if self.manifest else ()
        return sum(1 for e in files if e.kind == "html")

    @property
    def seconds(self) -> float:
        """Total time of all stages."""
        return sum(self.timings.values())


def report_lines(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """One line per diagnostic, except that a warning repeated in many files (a key every
    post of a migrated site carries) is shown for its first few files and then counted,
    so the rest of the report is not lost in it. Every error is shown."""
    repeats = Counter(_warning_key(d) for d in diagnostics if d.severity == "warning")
    seen: Counter[tuple[str, str]] = Counter()
    lines = []
    for diagnostic in diagnostics:
        key = _warning_key(diagnostic)
        if diagnostic.severity != "warning" or repeats[key] <= SAME_WARNING_SHOWN + 1:
            lines.append(str(diagnostic))
            continue
        seen[key] += 1
        if seen[key] <= SAME_WARNING_SHOWN:
            lines.append(str(diagnostic))
        elif seen[key] == SAME_WARNING_SHOWN + 1:
            more = repeats[key] - SAME_WARNING_SHOWN
            text = f"warning: ...and in {more} more files: {diagnostic.message} {diagnostic.hint}"
            lines.append(text.rstrip())
    return lines


def _warning_key(diagnostic: Diagnostic) -> tuple[str, str]:
    return diagnostic.message, diagnostic.hint


def _manifest_or_none(output_dir: Path) -> Manifest | None:
    try:
        return read_manifest(output_dir)
    except ManifestError:
        return None
