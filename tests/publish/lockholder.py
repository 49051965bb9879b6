"""A real publishing process for the lock tests: `python -m tests.publish.lockholder`.

Arguments: the target URL, the build output folder, and optionally the lease in seconds.
It publishes with the real code, but its first upload waits until the file named by
QUIRE_TEST_RESUME exists (or 60 s), after printing `uploading`: so the test knows the
lock is held and can kill, freeze or outlive the process mid-publish.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from builder.publish.clients import make_target
from builder.publish.errors import PublishError
from builder.publish.publish import publish
from builder.publish.settings import PublishSettings


class StalledTarget:
    """The real target; its first put waits for the test's go-ahead."""

    def __init__(self, inner: Any, resume: Path) -> None:
        self.inner = inner
        self.resume = resume
        self.stalled = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def put(self, key: str, body: bytes, **kwargs: Any) -> Any:
        if not self.stalled:
            self.stalled = True
            print("uploading", flush=True)
            deadline = time.monotonic() + 60
            while not self.resume.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        return self.inner.put(key, body, **kwargs)


def main(argv: list[str]) -> int:
    url, output = argv[0], Path(argv[1])
    settings = PublishSettings(
        publish_target=url, s3_endpoint_url=os.environ.get("QUIRE_S3_ENDPOINT_URL")
    )
    target = StalledTarget(make_target(url, settings), Path(os.environ["QUIRE_TEST_RESUME"]))
    extra: dict[str, Any] = {"lock_lease": float(argv[2])} if len(argv) > 2 else {}
    try:
        publish(output, target, concurrency=1, **extra)
    except PublishError as exc:
        print(f"error: {exc}", flush=True)
        return 1
    print("published", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
