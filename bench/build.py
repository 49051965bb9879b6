"""Benchmark: build the shared corpus with Quire, Hugo and Pelican in the same run.

    .venv/bin/python bench/build.py [--n 5000] [--runs 3] [--work DIR] [--no-peers]
                                    [--no-search] [--no-floor]

Quire is measured cold (no output, no cache), after editing one post's body, after
changing one post's tags, after adding a post and after deleting it, with no change,
and after a template change; first without the search index (the peers build none), then
with it (Quire's own, builder/search_index.py), beside Hugo followed by Pagefind over
Hugo's output (the Pagefind binary of the pagefind-bin wheel, a dev dependency).
Each build runs in a fresh process, like `quire build`. Hugo and Pelican are built by
`../shared/bench/peers.sh`, one round at a time alternating with Quire's cold builds. So is
the rendering floor (bench/floor.py: markdown-it-py with Pygments alone, one core, divided
by the usable CPUs), measured over the same posts in a fresh process each round.
Prints a table of medians and the ratios issue 6 names; then `quire` as a command
(bench/startup.py: `--help`, a no-op build, import costs, and one build after new code with
the highlighting speed-ups on and off). A benchmark, not a test: it reports and never fails.

The file system matters for the cold builds: every tool deletes its last output (about
14,000 files and folders for Quire and Hugo at 5,000 posts) just before. On an ext4
without a journal (as on this project's VMs) the kernel then avoids the inodes just
freed, and creating as many new ones costs seconds of system time that vary from run to
run (Quire's render stage: 1.9 s on tmpfs, 2-4.5 s on ext4). `--work /dev/shm/...` (tmpfs)
measures the tools' own work; the default folder measures what a user's disk adds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import ratios  # bench/ratios.py
from ratios import median, print_ratios, print_search_ratios
from startup import measure_fast_paths, measure_startup  # bench/startup.py

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
PYTHON = sys.executable
VERBOSE = False
CONFIG = 'title = "Bench"\nbase_url = "https://bench.example.com"\ntheme = "bench"\n'
# One build in a fresh process; prints its timings, counts and peak memory as JSON.
RUNNER = """
import json, resource, sys, time
from pathlib import Path
from builder.config import BuildOptions
from builder.pipeline import build_site
start = time.perf_counter()
r = build_site(Path(sys.argv[1]), BuildOptions(skip_search=sys.argv[2] == "0"))
wall = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"ok": r.ok, "wall": wall, "timings": r.timings, "parsed": r.parsed,
                  "rendered": r.rendered, "changed": len(r.changed),
                  "removed": len(r.removed), "rss_mb": own / 1024, "child_mb": kids / 1024}))
"""


def quire(site: Path, *, search: bool) -> dict[str, Any]:
    """One build of `site` in a fresh process; wall time includes interpreter start-up."""
    start = time.perf_counter()
    out = subprocess.run(  # our own interpreter and script
        [PYTHON, "-c", RUNNER, str(site), "1" if search else "0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if out.returncode != 0:
        return {"ok": False, "error": out.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - start
    return result


def make_site(n: int, work: Path) -> Path:
    """The corpus (Hugo layout: content/posts/*.md, YAML front matter) plus a quire.toml."""
    site = work / f"quire-{n}"
    fresh_content(site, n, work)
    (site / "quire.toml").write_text(CONFIG, encoding="utf-8")
    theme = site / "themes" / "bench"
    if theme.exists():
        shutil.rmtree(theme)
    shutil.copytree(ROOT / "themes" / "default", theme)  # a copy, so templates can change
    return site


def fresh_content(site: Path, n: int, work: Path) -> None:
    """The site's content/ as the generator made it: the edits of an earlier round (or an
    earlier run on the same --work folder: an edited post, added posts) are undone, so
    every cold build sees the same n posts and every edit changes something."""
    pristine = work / f"corpus-{n}"
    if not (pristine / "content" / "posts").is_dir():
        subprocess.run(
            [sys.executable, str(SHARED / "gen_corpus.py"), "--n", str(n), "--flavor", "hugo",
             "--out", str(pristine)],
            check=True, capture_output=True,
        )  # fmt: skip
    shutil.rmtree(site / "content", ignore_errors=True)
    shutil.copytree(pristine / "content", site / "content")


def clean(site: Path) -> None:
    for name in ("public", ".quire-cache"):
        shutil.rmtree(site / name, ignore_errors=True)


class Edits:
    """The changes an author makes between builds."""

    def __init__(self, site: Path) -> None:
        self.site = site
        posts = sorted((site / "content" / "posts").glob("*.md"))
        self.middle = posts[len(posts) // 2]
        self.count = 0
        self.added = self.middle  # replaced by new_post

    def body(self) -> None:
        self.count += 1
        with self.middle.open("a", encoding="utf-8") as handle:
            handle.write(f"\nEdited paragraph {self.count} with `inline code`.\n")

    def tags(self) -> None:
        self.count += 1
        text = self.middle.read_text(encoding="utf-8")
        lines = [
            f'tags: ["bench-{self.count}", "python"]' if line.startswith("tags:") else line
            for line in text.split("\n")
        ]
        self.middle.write_text("\n".join(lines), encoding="utf-8")

    def new_post(self) -> None:
        self.count += 1
        path = self.site / "content" / "posts" / f"99999-new-{time.time_ns()}.md"
        self.added = path
        # newer than every generated post, older than today (so not a future post)
        path.write_text(
            f'---\ntitle: "New post {self.count}"\ndate: 2025-01-{self.count % 28 + 1:02d}\n'
            f'tags: ["python"]\n---\n\nA new post about {self.word()}.\n',
            encoding="utf-8",
        )

    def word(self) -> str:
        """A word only the newest added post holds (what its search must find)."""
        return f"quokka{self.count}"

    def delete_post(self) -> None:
        """Delete the post `new_post` added (the newest)."""
        self.added.unlink()

    def template(self) -> None:
        self.count += 1
        base = self.site / "themes" / "bench" / "templates" / "base.html"
        text = base.read_text(encoding="utf-8")
        base.write_text(text.replace("</body>", f"<!-- {self.count} -->\n</body>", 1))


def measure(site: Path, runs: int, search: bool, peers: list[dict[str, Any]] | None,
            work: Path, n: int, floor: list[dict[str, Any]] | None = None,
            ) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    """Every scenario `runs` times; the floor's and peers' rounds interleaved with the cold
    builds."""
    edits = Edits(site)
    results: dict[str, list[dict[str, Any]]] = {}

    def record(name: str, change: Any = None) -> None:
        if change is not None:
            change()
        results.setdefault(name, []).append(quire(site, search=search))
        if search and name == "new post":  # found by the site's search after that build?
            results[name][-1]["found"] = searchable(site / "public", edits.word())

    for round_number in range(runs):
        fresh_content(site, n, work)
        clean(site)
        record("cold")
        if floor is not None:
            floor.extend(run_floor(site))
        if peers is not None:
            peers.extend(run_peers(n, work))
            peers.extend(run_pagefind(n, work))
        if round_number == 0:
            record("warm-up no-op")  # the first rebuild also warms the OS file cache
        record("one edit", edits.body)
        record("tag edit", edits.tags)
        record("new post", edits.new_post)
        record("delete post", edits.delete_post)
        record("no change")
        record("template change", edits.template)
    return results


def searchable(out: Path, word: str) -> bool:
    """Whether the built index lists `word` (the shard the reader would load holds it)."""
    try:
        meta = json.loads((out / "search" / "meta.json").read_text(encoding="utf-8"))
        key = max((k for k in meta["shards"] if word.startswith(k)), key=len)
        shard = json.loads((out / "search" / "t" / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return word in shard


def run_pagefind(n: int, work: Path) -> list[dict[str, Any]]:
    """Pagefind over Hugo's last output (left by peers.sh): the search half of Hugo's
    cold build with search."""
    public = work / "peers" / f"hugo-{n}" / "public"
    try:
        import pagefind_bin  # the dev extra: Quire itself no longer uses Pagefind
    except ImportError:
        return []
    if not public.is_dir():
        return []
    shutil.rmtree(public / "pagefind", ignore_errors=True)
    start = time.perf_counter()
    out = subprocess.run(  # the wheel's binary, fixed argv
        [pagefind_bin.get_executable(), "--site", str(public), "--silent"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        print(f"pagefind failed: {out.stderr.strip()[-300:]}", file=sys.stderr)
        return []
    return [{"tool": "pagefind", "posts": n, "cold_s": seconds}]


def run_floor(site: Path) -> list[dict[str, Any]]:
    """The rendering floor over the site's posts, in a fresh process (bench/floor.py)."""
    out = subprocess.run(  # our own interpreter and script
        [PYTHON, str(ROOT / "bench" / "floor.py"), str(site)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        print(f"floor.py failed: {out.stderr.strip()[-300:]}", file=sys.stderr)
        return []
    return [json.loads(out.stdout.strip().splitlines()[-1])]


def run_peers(n: int, work: Path) -> list[dict[str, Any]]:
    """One round of Hugo and Pelican (cold, one edit, no change) via peers.sh."""
    env = {**os.environ, "RUNS": "1"}
    out = subprocess.run(
        ["bash", str(SHARED / "peers.sh"), str(n), str(work / "peers")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 and not lines:
        print(f"peers.sh failed: {out.stderr.strip()[-300:]}", file=sys.stderr)
    return [json.loads(line) for line in lines]


def report(title: str, results: dict[str, list[dict[str, Any]]]) -> dict[str, float]:
    print(f"\n{title}")
    print(f"{'scenario':<18}{'wall s':>8}{'+start s':>9}{'parsed':>8}{'rendered':>9}"
          f"{'written':>8}{'peak MB':>9}{'pool MB':>8}")  # fmt: skip
    medians: dict[str, float] = {}
    for name, runs in results.items():
        good = [r for r in runs if r.get("ok")]
        if VERBOSE:
            print(name, [(round(r["wall"], 2), r["parsed"], r["changed"]) for r in good])
        if not good:
            print(f"{name:<18} failed: {runs[0].get('error')}")
            continue
        wall = median([r["wall"] for r in good])
        medians[name] = wall
        medians[name + ":changed"] = median([r["changed"] for r in good])
        medians[name + ":removed"] = median([r["removed"] for r in good])
        medians[name + ":rss"] = max(r["rss_mb"] for r in good)
        medians[name + ":search"] = median([r["timings"].get("search", 0.0) for r in good])
        print(
            f"{name:<18}{wall:>8.2f}{median([r['process'] for r in good]):>9.2f}"
            f"{median([r['parsed'] for r in good]):>8.0f}"
            f"{median([r['rendered'] for r in good]):>9.0f}"
            f"{median([r['changed'] for r in good]):>8.0f}"
            f"{max(r['rss_mb'] for r in good):>9.0f}{max(r['child_mb'] for r in good):>8.0f}"
        )
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="posts in the corpus")
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (median)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/quire-bench"))
    parser.add_argument("--no-peers", action="store_true", help="skip Hugo and Pelican")
    parser.add_argument("--no-search", action="store_true", help="skip the runs with Pagefind")
    parser.add_argument("--no-floor", action="store_true", help="skip the rendering floor")
    parser.add_argument("--no-startup", action="store_true", help="skip bench/startup.py")
    parser.add_argument("--verbose", action="store_true", help="print every run")
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = ratios.VERBOSE = args.verbose
    args.work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(f"corpus: {args.n} posts; {os.cpu_count()} CPUs; load {load[0]:.1f} {load[1]:.1f}")
    site = make_site(args.n, args.work)
    peers: list[dict[str, Any]] | None = None if args.no_peers else []
    floor: list[dict[str, Any]] | None = None if args.no_floor else []
    plain = report(
        "Quire, no search index",
        measure(site, args.runs, False, peers, args.work, args.n, floor),
    )
    if not args.no_startup:  # `quire` as a command, on the site as the runs left it
        measure_startup(site, 7)
        measure_fast_paths(site, max(5, 2 * args.runs))
    searched: dict[str, float] = {}
    if not args.no_search:
        runs = measure(site, max(1, args.runs // 2), True, None, args.work, args.n)
        searched = report("Quire, with its search index", runs)
        searched["new post:found"] = all(r.get("found") for r in runs.get("new post", []))
    clean(site)
    print_ratios(plain, peers or [], floor or [])
    if searched:
        print_search_ratios(searched, peers or [])
    load = os.getloadavg()
    print(f"\nload at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
