"""The issue's targets against what a run measured: writes at least 2x Isso's comment
posts with p99 under 200 ms, listings with p99 under 50 ms, and no errors anywhere."""

from __future__ import annotations

import os

from apiload.measure import Result

WRITE_RATIO, WRITE_P99, LIST_P99 = 2.0, 200.0, 50.0


def _row(what: str, measured: str, met: bool) -> str:
    return f"  {'ok  ' if met else 'MISS'}  {what:<48} {measured}"


def targets(runs: dict[str, dict[str, Result]], isso: dict[str, Result] | None) -> list[str]:
    """One line per target and database: met or missed, with the figure."""
    lines: list[str] = []
    isso_posts = isso["isso"].rps if isso else None
    for db, found in runs.items():
        for kind, label in (("post", "comment posts"), ("like", "like toggles")):
            result = found[kind]
            if isso_posts:
                ratio = result.rps / isso_posts
                lines.append(
                    _row(
                        f"{db}: {label} >= {WRITE_RATIO:g}x Isso's posts",
                        f"{ratio:.2f}x ({result.rps:.0f} vs {isso_posts:.0f} req/s)",
                        ratio >= WRITE_RATIO,
                    )
                )
            lines.append(_p99(f"{db}: {label} p99 < {WRITE_P99:g} ms", result, WRITE_P99))
        lines.append(_p99(f"{db}: mixed, comment p99 < {WRITE_P99:g} ms", found["mixed post"],
                          WRITE_P99))  # fmt: skip
        for kind, label in (("list", "listing"), ("mixed list", "mixed, listing")):
            lines.append(_p99(f"{db}: {label} p99 < {LIST_P99:g} ms", found[kind], LIST_P99))
        errors = {k: r.errors for k, r in found.items() if r.errors}
        lines.append(_row(f"{db}: zero errors", str(errors or 0), not errors))
    if isso and isso_posts:
        lines.append(f"  (Isso's comment posts: {isso_posts:.0f} req/s, "
                     f"p99 {isso['isso'].pct(99):.0f} ms)")  # fmt: skip
    return lines


def _p99(what: str, result: Result, limit: float) -> str:
    p99 = result.pct(99)
    return _row(what, f"{p99:.1f} ms", p99 < limit)


def machine() -> str:
    one, five, _ = os.getloadavg()
    return f"machine load {one:.2f} (1 min) {five:.2f} (5 min), {os.cpu_count()} CPUs"
