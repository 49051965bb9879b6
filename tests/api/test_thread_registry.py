"""The thread registry under concurrent first requests (a worker just started)."""

from __future__ import annotations

import threading
from pathlib import Path

from builder.manifest import Manifest, Thread
from interactions_api.services.threads import ThreadRegistry

THREADS = 20_000  # a manifest that takes a moment to read, as a large site's does
REQUESTS = 8


def test_requests_arriving_during_the_first_read_all_find_the_thread(tmp_path: Path) -> None:
    path = tmp_path / "quire-manifest.json"
    threads = {f"post-{n}": Thread(url=f"/posts/{n}/", title=f"Post {n}") for n in range(THREADS)}
    path.write_text(Manifest(threads=threads).to_json(), encoding="utf-8")
    registry = ThreadRegistry(path)
    start = threading.Barrier(REQUESTS)
    found: list[Thread | None] = []

    def request() -> None:
        start.wait()
        found.append(registry.get("post-7"))

    workers = [threading.Thread(target=request) for _ in range(REQUESTS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    # Before: the first reader marked the file as checked before reading it, so the
    # requests that came meanwhile saw no threads at all and answered 404.
    assert [t is not None for t in found] == [True] * REQUESTS
