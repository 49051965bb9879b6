"""Watch a site's input folders and call a rebuild (debounced) whenever a file changes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

WATCHED_DIRS = ("content", "static", "themes")
_IGNORED_NAMES = (".swp", ".swx", "~", ".tmp", "4913")  # editors' temporary files


class _Handler(FileSystemEventHandler):
    def __init__(self, site_dir: Path, ignored: Sequence[Path], changed: threading.Event) -> None:
        self.site_dir, self.ignored, self.changed = site_dir, tuple(ignored), changed

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in {"opened", "closed_no_write"}:
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw and self._relevant(Path(str(raw))):
                self.changed.set()
                return

    def _relevant(self, path: Path) -> bool:
        resolved = path.resolve()
        if any(resolved.is_relative_to(p) for p in self.ignored):
            return False
        inside = (
            resolved.relative_to(self.site_dir) if resolved.is_relative_to(self.site_dir) else path
        )
        if any(part.startswith(".") for part in inside.parts):  # .git, .quire, editor files
            return False
        return not path.name.endswith(_IGNORED_NAMES)


class Watcher:
    """Calls `rebuild` (debounced) whenever a file of the site changes."""

    def __init__(
        self,
        site_dir: Path,
        rebuild: Callable[[], object],
        *,
        ignored: Sequence[Path] = (),
        extra_dirs: Sequence[Path] = (),
        debounce: float = 0.2,
    ) -> None:
        self.site_dir = site_dir.resolve()
        self.rebuild, self.debounce = rebuild, debounce
        self._changed = threading.Event()
        self._stopping = threading.Event()
        ignored = [self.site_dir / ".quire", *(p.resolve() for p in ignored)]
        handler = _Handler(self.site_dir, ignored, self._changed)
        self._observer = Observer()
        # Only the inputs are watched (never the output folders, which churn on every build):
        # the site folder itself for quire.toml and authors.toml, and the input folders.
        self._observer.schedule(handler, str(self.site_dir), recursive=False)
        for folder in (*(self.site_dir / name for name in WATCHED_DIRS), *extra_dirs):
            if folder.is_dir():
                self._observer.schedule(handler, str(folder.resolve()), recursive=True)
        self._thread = threading.Thread(target=self._loop, name="quire-rebuild", daemon=True)

    def start(self) -> None:
        """Start watching."""
        self._observer.start()
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and wait for a running rebuild to finish."""
        self._stopping.set()
        self._changed.set()
        self._observer.stop()
        self._observer.join(timeout=5)
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._changed.wait()
            if self._stopping.is_set():
                return
            # let a burst of saves settle into one rebuild
            while True:
                self._changed.clear()
                if self._stopping.wait(self.debounce) or not self._changed.is_set():
                    break
            if not self._stopping.is_set():
                self.rebuild()
