"""Start-up: `quire` as a command, and what the highlighting speed-ups cost a fresh process.

    .venv/bin/python bench/startup.py SITE [--runs 7]    (SITE: a site, built or not)

Called by bench/build.py after its own scenarios, on the same site. Every figure is a
whole command in a fresh interpreter, as a user runs it: `quire --help`; `quire build`
with nothing changed; and `quire build` after one post gained new code blocks (which must
be highlighted), with the speed-ups on and with QUIRE_FAST_HIGHLIGHT=0, alternating.
Wall time (median, and the best run) beside CPU time, since a loaded machine stretches
the first far more than the second; then where the import time goes (-X importtime),
summed per top-level package. The commands run with bytecode caching on, as an installed
Quire does. A benchmark: it reports and never fails.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUIRE = "from interactions_api.cli import main; main()"  # the console script
CODE = (
    "\n```python\ndef edited_{n}(rows: list[dict[str, int]]) -> int:\n"
    '    """Edit {n}."""\n    return sum(row["n"] * {n} for row in rows if row)  # {n}\n```\n'
    '\n```bash\nfor f in posts/*.md; do echo "{n}: $(wc -l < "$f")"; done\n```\n'
    "\n```sql\nSELECT id, title FROM posts WHERE edit = {n} ORDER BY date DESC;\n```\n"
)


def environment(**extra: str) -> dict[str, str]:
    """This environment with Quire first on the path and bytecode caching on."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return {**env, **extra}


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """One command: (wall s, CPU s of the process, its stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        print(f"  failed: {' '.join(args[3:])}: {done.stderr.strip()[-300:]}", file=sys.stderr)
    return wall, cpu, done.stderr


def quire(*args: str) -> list[str]:
    return [sys.executable, "-c", QUIRE, *args]


def summary(
    label: str, times: list[tuple[float, float, str]], target: str = ""
) -> tuple[float, float]:
    """Prints and returns the medians (wall, CPU)."""
    walls, cpus = [t[0] for t in times], [t[1] for t in times]
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"  {label:<42}{wall:>6.2f} s wall (best {min(walls):.2f}), {cpu:.2f} s CPU{target}")
    return wall, cpu


def import_costs(label: str, args: list[str]) -> None:
    """Where the imports of one command go: -X importtime, self time per package."""
    _, _, stderr = run([sys.executable, "-X", "importtime", *args[1:]], environment())
    per_package: Counter[str] = Counter()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            own, _, name = line.removeprefix("import time:").split("|")
            per_package[name.strip().split(".")[0]] += int(own)
    total = sum(per_package.values()) / 1000
    top = ", ".join(f"{name} {us / 1000:.0f}" for name, us in per_package.most_common(7))
    print(f"  imports of {label}: {total:.0f} ms ({len(per_package)} packages): {top}")


def measure_startup(site: Path, runs: int) -> dict[str, float]:
    """`quire --help` and a no-op `quire build` (the site built once first)."""
    env = environment()
    build = quire("build", str(site), "--no-search")
    run(quire("--help"), env)  # writes the bytecode, as an installed Quire has it
    run(build, env)  # a build with these options, so that the next ones have nothing to do
    times: dict[str, list[tuple[float, float, str]]] = {"help": [], "noop": []}
    for _ in range(runs):
        times["help"].append(run(quire("--help"), env))
        times["noop"].append(run(build, env))
    print("\nstart-up (`quire` as a command, a fresh process each; median of "
          f"{runs})")  # fmt: skip
    figures = {
        "help": summary("quire --help", times["help"], "   (target < 0.3 s)")[0],
        "noop": summary("quire build, nothing changed", times["noop"], "   (target < 0.3 s)")[0],
    }
    import_costs("--help", quire("--help"))
    import_costs("a no-op build", build)
    return figures


def measure_fast_paths(site: Path, runs: int) -> dict[str, float]:
    """`quire build` after one post gained code, speed-ups on and off, alternating."""
    posts = sorted((site / "content" / "posts").glob("*.md"))
    post = posts[len(posts) // 2]
    build = quire("build", str(site), "--no-search")
    run(build, environment())  # start from a built site
    times: dict[str, list[tuple[float, float, str]]] = {"on": [], "off": []}
    count = 0
    for round_number in range(runs):
        order = ("on", "off") if round_number % 2 == 0 else ("off", "on")
        for mode in order:
            count += 1
            with post.open("a", encoding="utf-8") as handle:
                handle.write(CODE.format(n=count))
            env = environment(QUIRE_FAST_HIGHLIGHT="1" if mode == "on" else "0")
            times[mode].append(run(build, env))
    print(f"\nhighlighting speed-ups: `quire build` after new code in one post (median of {runs})")
    on = summary("fast paths on", times["on"])
    off = summary("fast paths off (QUIRE_FAST_HIGHLIGHT=0)", times["off"])
    print(
        f"  {'on / off':<42}{on[0] / off[0]:>6.2f} wall, {on[1] / off[1]:.2f} CPU   "
        "(target <= 1.0: never slower)"
    )
    return {"on": on[0], "off": off[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, help="a site folder (built or not)")
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (median)")
    args = parser.parse_args()
    measure_startup(args.site, args.runs)
    measure_fast_paths(args.site, max(3, args.runs // 2))


if __name__ == "__main__":
    main()
