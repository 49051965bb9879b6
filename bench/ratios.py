"""bench/build.py's summary: medians over rounds and the ratios the issues name."""

from __future__ import annotations

import statistics
from typing import Any

VERBOSE = False


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def print_floor(floor: list[dict[str, Any]]) -> float:
    """The floor's medians over rounds; returns the floor in seconds (NaN when not run)."""
    if not floor:
        return float("nan")
    if VERBOSE:
        print("floor", [(round(f["one_core_s"], 2), f["posts"]) for f in floor])
    one_core = median([f["one_core_s"] for f in floor])
    per_cpus = median([f["floor_s"] for f in floor])
    posts = median([f["posts"] for f in floor])
    cpus = floor[-1]["cpus"]
    print("\nrendering floor (markdown-it-py + Pygments alone, median over rounds)")
    print(f"  one core             {one_core:.2f} s for {posts:.0f} posts, "
          f"{one_core / posts * 1000:.2f} ms per post")  # fmt: skip
    print(f"  / {cpus} usable CPUs      {per_cpus:.2f} s")
    return per_cpus


def print_ratios(
    quire_medians: dict[str, float], peers: list[dict[str, Any]], floor: list[dict[str, Any]]
) -> None:
    floor_s = print_floor(floor)
    tools: dict[str, dict[str, list[float]]] = {}
    for line in peers:
        for key in ("cold_s", "one_edit_s", "no_change_s"):
            if key in line:
                tools.setdefault(line["tool"], {}).setdefault(key, []).append(float(line[key]))
    print("\npeers (median over rounds)")
    for tool, values in sorted(tools.items()):
        print(f"  {tool:<8} " + "  ".join(f"{k} {median(v):.2f}" for k, v in values.items()))
    cold = quire_medians.get("cold", float("nan"))
    hugo = median(tools.get("hugo", {}).get("cold_s", []))
    pelican = median(tools.get("pelican", {}).get("cold_s", []))
    print("\nratios (issue 6 targets)")
    print(f"  quire/hugo cold      {cold / hugo:.2f}   (target < 1.0)")
    print(f"  pelican/quire cold   {pelican / cold:.2f}   (target >= 5)")
    print(f"  quire cold / floor   {cold / floor_s:.2f}   (target <= 1.3)")
    print(
        f"  one edit             {quire_medians.get('one edit', float('nan')):.2f} s, "
        f"{quire_medians.get('one edit:changed', float('nan')):.0f} files written (target < 0.5 s)"
    )
    print(
        f"  tag edit             {quire_medians.get('tag edit', float('nan')):.2f} s, "
        f"{quire_medians.get('tag edit:changed', float('nan')):.0f} files written"
    )
    print(
        f"  no change            {quire_medians.get('no change', float('nan')):.2f} s, "
        f"{quire_medians.get('no change:changed', float('nan')):.0f} files written "
        "(target < 0.3 s, 0 files)"
    )
    for name in ("new post", "delete post"):
        print(
            f"  {name:<20} {quire_medians.get(name, float('nan')):.2f} s, "
            f"{quire_medians.get(name + ':changed', float('nan')):.0f} files written, "
            f"{quire_medians.get(name + ':removed', float('nan')):.0f} removed "
            "(target < 1 s, < 15 files)"
        )
    peak = max((v for k, v in quire_medians.items() if k.endswith(":rss")), default=float("nan"))
    print(f"  peak memory          {peak:.0f} MB in the main process (target < 500 MB)")


def print_search_ratios(medians: dict[str, float], peers: list[dict[str, Any]]) -> None:
    """Issue 20's targets: the builds with the search index."""
    hugo = median([float(p["cold_s"]) for p in peers if p["tool"] == "hugo"])
    pagefind = median([float(p["cold_s"]) for p in peers if p["tool"] == "pagefind"])
    nan = float("nan")
    cold = medians.get("cold", nan)
    print("\nwith search (issue 20 targets)")
    print(f"  hugo + pagefind cold {hugo:.2f} + {pagefind:.2f} = {hugo + pagefind:.2f} s")
    print(f"  quire/(hugo+pagefind) cold  {cold / (hugo + pagefind):.2f}   (target < 0.5), "
          f"{medians.get('cold:rss', nan):.0f} MB peak")  # fmt: skip
    for name, target in (("one edit", "< 0.5 s"), ("new post", "< 1 s, < 15 files")):
        print(
            f"  {name:<20} {medians.get(name, nan):.2f} s, "
            f"{medians.get(name + ':changed', nan):.0f} files written "
            f"({medians.get(name + ':search', nan):.2f} s of it the index; target {target})"
        )
    print(f"  new post searchable  {bool(medians.get('new post:found'))}")
