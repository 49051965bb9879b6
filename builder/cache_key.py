"""The part of the build cache's key that is Quire's own code (see builder.cache.cache_version)."""

from __future__ import annotations

import hashlib
from pathlib import Path

# Not Quire's code: the built-in themes and content templates of a wheel install, whose
# files every build fingerprints as inputs (builder.uptodate), and Python's byte code.
_NOT_CODE = {"_data", "__pycache__"}


def code_digest(package: Path) -> str:
    """Every file of the `builder` package at `package`, in every subfolder, with its path.

    A change in how pages are made must not reuse old pages. No module is left out, not
    even those that write no page (publish/, serve, watch, the command line): a list of
    modules "that cannot affect output" has to be kept true by hand as code moves, and one
    wrong entry serves stale pages, while hashing one module too many only costs a cold
    build after editing it. Paths are hashed too, so moving or renaming a module counts.
    """
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        hidden = any(part.startswith(".") for part in relative.parts)
        if path.is_file() and not hidden and _NOT_CODE.isdisjoint(relative.parts):
            data = path.read_bytes()
            digest.update(f"{relative.as_posix()} {len(data)}\n".encode() + data)
    return digest.hexdigest()
