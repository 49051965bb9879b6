"""CloudFront invalidation: exactly the changed paths, folded into wildcards when cheaper.

CloudFront limits (per distribution): at most 3,000 individual paths and 15 wildcard paths
in progress at once; the first 1,000 paths a month are free, then each path (a wildcard
counts as one) is billed. Hugo always invalidates `/*`; we invalidate what changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from builder.publish.errors import PublishError

MAX_PATHS_IN_PROGRESS = 3000
MAX_WILDCARDS_IN_PROGRESS = 15
FOLD_RATIO = 0.5  # fold a folder when at least half of what it holds changed...
FOLD_MIN = 10  # ...and that saves at least this many paths; wildcards are scarce (15)


def url_paths(keys: Iterable[str]) -> list[str]:
    """URL paths of site files; a folder page gets both `/dir/` and `/dir/index.html`."""
    paths: set[str] = set()
    for key in keys:
        paths.add("/" + key)
        if key == "index.html" or key.endswith("/index.html"):
            paths.add("/" + key[: -len("index.html")])
    return sorted(paths)


def fold_paths(
    paths: Sequence[str],
    universe: Iterable[str],
    *,
    max_paths: int,
    max_wildcards: int = MAX_WILDCARDS_IN_PROGRESS,
    ratio: float = FOLD_RATIO,
    fold_min: int = FOLD_MIN,
) -> list[str]:
    """The cheapest list of invalidation paths covering `paths` within the limits.

    `universe` is every URL path of the site: folding `/posts/*` also drops unchanged pages
    under `/posts/` from the CDN, so a folder is folded only when most of it changed. When
    the result is over the limits, folding gets more aggressive until it fits (`/*` last).
    """
    wanted = sorted(set(paths))
    if not wanted:
        return []
    totals = _folder_totals(set(universe) | set(wanted))
    changed = _folder_totals(wanted)
    # Each step lowers the threshold to the next folder's share of changed paths, so the
    # deepest folders that make the list fit are folded first, and `/` last.
    shares = sorted({n / totals[f] for f, n in changed.items() if n / totals[f] < ratio})
    thresholds = [ratio, *reversed(shares)]
    schedule = [(r, fold_min) for r in thresholds] + [(r, 2) for r in thresholds]
    schedule.append((float("inf"), fold_min))  # exact paths, when only wildcards ran out
    for r, m in schedule:
        result = _fold("/", wanted, totals, ratio=r, fold_min=m)
        wildcards = sum(1 for p in result if p.endswith("*"))
        if len(result) <= max_paths and wildcards <= max_wildcards:
            return result
    return ["/*"]


def _folder_totals(paths: Iterable[str]) -> dict[str, int]:
    """How many site paths each folder (`/a/b/`) holds, at any depth."""
    totals: dict[str, int] = {}
    for path in paths:
        end = 0
        while True:
            end = path.find("/", end) + 1
            if end == 0:
                break
            folder = path[:end]
            totals[folder] = totals.get(folder, 0) + 1
    return totals


def _fold(
    folder: str, paths: list[str], totals: dict[str, int], *, ratio: float, fold_min: int
) -> list[str]:
    if len(paths) >= fold_min and len(paths) >= ratio * totals.get(folder, len(paths)):
        return [folder + "*"]
    out: list[str] = []
    children: dict[str, list[str]] = {}
    for path in paths:
        slash = path.find("/", len(folder))
        if slash == -1:
            out.append(path)  # a file directly in this folder, or the folder page itself
        else:
            children.setdefault(path[: slash + 1], []).append(path)
    for child, under in sorted(children.items()):
        out.extend(_fold(child, under, totals, ratio=ratio, fold_min=fold_min))
    return sorted(out)


@dataclass(frozen=True, slots=True)
class Invalidation:
    """What was (or would be) invalidated."""

    paths: tuple[str, ...]
    invalidation_id: str | None = None
    retries: int = 0


def in_progress(client: Any, distribution_id: str) -> tuple[int, int]:
    """Individual and wildcard paths of the distribution's invalidations still in progress."""
    plain = wild = 0
    listing = client.list_invalidations(DistributionId=distribution_id)["InvalidationList"]
    for item in listing.get("Items", []):
        if item["Status"] != "InProgress":
            continue
        batch = client.get_invalidation(DistributionId=distribution_id, Id=item["Id"])
        for path in batch["Invalidation"]["InvalidationBatch"]["Paths"].get("Items", []):
            if path.endswith("*"):
                wild += 1
            else:
                plain += 1
    return plain, wild


def invalidate(
    client: Any,
    distribution_id: str,
    paths: Sequence[str],
    universe: Iterable[str],
    *,
    max_paths: int,
    caller_reference: str,
    attempts: int = 8,
    sleep: Callable[[float], None] = time.sleep,
) -> Invalidation:
    """Create one invalidation for `paths`, folded to fit; back off while too many run."""
    universe = list(universe)
    delay = 2.0
    for attempt in range(attempts):
        plain, wild = in_progress(client, distribution_id)
        budget = min(max_paths, MAX_PATHS_IN_PROGRESS - plain)
        folded = fold_paths(
            paths, universe, max_paths=budget, max_wildcards=MAX_WILDCARDS_IN_PROGRESS - wild
        )
        if budget >= 1 and (wild < MAX_WILDCARDS_IN_PROGRESS or not _has_wildcard(folded)):
            try:
                resp = client.create_invalidation(
                    DistributionId=distribution_id,
                    InvalidationBatch={
                        "Paths": {"Quantity": len(folded), "Items": folded},
                        "CallerReference": caller_reference,
                    },
                )
                return Invalidation(tuple(folded), resp["Invalidation"]["Id"], attempt)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if code not in ("TooManyInvalidationsInProgress", "Throttling"):
                    raise PublishError(
                        f"CloudFront {distribution_id}: invalidation refused ({code}): "
                        f"{exc.response.get('Error', {}).get('Message', '')}"
                    ) from exc
        sleep(delay)
        delay = min(delay * 2, 60.0)
    raise PublishError(
        f"CloudFront {distribution_id}: too many invalidations in progress after {attempts} "
        "tries; the files are published, re-run `quire deploy` to invalidate them"
    )


def _has_wildcard(paths: Sequence[str]) -> bool:
    return any(p.endswith("*") for p in paths)
