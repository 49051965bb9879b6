"""Drive a load with wrk and read back every answer's kind, status and latency.

wrk is a C event loop: on two cores it takes a small fraction of one (its CPU is measured
and printed with each phase) where a Python generator would take a whole core and measure
itself. Each wrk thread holds one connection and one user's session cookie (load.lua).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from apiload.measure import CpuMeter, Result, spread

LUA = Path(__file__).with_name("load.lua")
OK = {"list": (200,), "check": (304,), "post": (201,), "like": (200,), "isso": (201, 202)}


@dataclass(frozen=True)
class Target:
    """Where a phase sends its requests, and as whom."""

    origin: str
    list_path: str = ""
    post_path: str = ""
    like_path: str = ""
    cookies: tuple[str, ...] = ()  # Cookie header values, one per user
    etag: str = ""  # the listing's, for revalidations
    idle_path: str = "/api/health"  # answers at once when the server has no backlog


def find_wrk() -> str:
    """The wrk binary, installing the Debian package when missing and running as root."""
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get install -y wrk) ...")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
        found = shutil.which("wrk")
    if found is None:
        raise SystemExit("bench/api.py needs wrk (the Debian package `wrk`) as load generator")
    return found


@dataclass
class Run:
    """A started wrk process (the soak acts on the servers while it runs)."""

    process: subprocess.Popen[bytes]
    out: Path
    began: float
    names: dict[str, str]


def start(
    target: Target,
    mix: dict[str, float],
    *,
    connections: int,
    duration: float,
    names: dict[str, str],
    timeout: float = 30,
) -> Run:
    """Start wrk: `connections` users, each sending `mix` (kind -> share) in a closed loop."""
    work = Path(tempfile.mkdtemp(prefix="quire-wrk-"))
    cookies = work / "cookies.txt"
    cookies.write_text("".join(c + "\n" for c in target.cookies), encoding="utf-8")
    env = {
        **os.environ,
        "BENCH_MIX": ",".join(f"{k}={v}" for k, v in mix.items()),
        "BENCH_LIST": target.list_path,
        "BENCH_POST": target.post_path,
        "BENCH_LIKE": target.like_path,
        "BENCH_ORIGIN": target.origin,
        "BENCH_ETAG": target.etag,
        "BENCH_COOKIES": str(cookies) if target.cookies else "",
        "BENCH_OUT": str(work / "answers.txt"),
    }
    command = [find_wrk(), f"-t{connections}", f"-c{connections}", f"-d{round(duration)}s"]
    command += ["--timeout", f"{round(timeout)}s", "-s", str(LUA), target.origin + "/"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    return Run(process, work / "answers.txt", time.perf_counter(), names)


def finish(run: Run) -> tuple[dict[str, Result], float, float]:
    """Wait for wrk; its answers (one Result per kind), its CPU seconds and the wall time."""
    _pid, status, usage = os.wait4(run.process.pid, 0)
    run.process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - run.began
    if run.process.returncode != 0 or not run.out.exists():
        raise SystemExit(f"wrk failed (exit {run.process.returncode})")
    results = read_answers(run.out, run.names)
    shutil.rmtree(run.out.parent, ignore_errors=True)
    return results, usage.ru_utime + usage.ru_stime, wall


def read_answers(path: Path, names: dict[str, str]) -> dict[str, Result]:
    """Parse load.lua's answer lines into one Result per kind (ids of created comments too)."""
    results = {kind: Result(name, ok=OK[kind]) for kind, name in names.items()}
    socket_errors, seconds, sockets = 0, 0.0, {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields[0] == "summary":  # a read-only phase: wrk's own counts and histogram
            result = results[fields[1]]
            good, bad = int(fields[2]) - int(fields[3]), int(fields[3])
            # -1: answers wrk counted as neither 2xx nor 3xx (it keeps no status)
            result.statuses = {result.ok[0]: good, **({-1: bad} if bad else {})}
            result.percentiles = {50: int(fields[4]) / 1000, 99: int(fields[5]) / 1000}
            continue
        if fields[0] == "socket":  # connect, read, write, timeout
            socket_errors = sum(int(v) for v in fields[1:5])
            kinds = ("connect", "read", "write", "timeout")
            sockets = {k: int(v) for k, v in zip(kinds, fields[1:5], strict=True) if int(v)}
            seconds = int(fields[5]) / 1e6
            continue
        result = results[fields[0]]
        status = int(fields[1])
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status in result.ok:
            result.latencies.append(int(fields[2]) / 1000)
            if len(fields) > 3 and fields[3].isdigit():
                result.created.append(int(fields[3]))
    for result in results.values():
        result.seconds = seconds
    # wrk does not say which kind a failed connection was sending: charge the first kind.
    first = next(iter(results.values()))
    first.socket_errors, first.socket_detail = socket_errors, sockets
    return results


def measure(
    target: Target,
    mix: dict[str, float],
    *,
    connections: int,
    duration: float,
    names: dict[str, str],
    server_pids: list[int],
) -> dict[str, Result]:
    """Run one phase to its end and return what each request kind measured."""
    with CpuMeter(server_pids) as meter:
        run = start(target, mix, connections=connections, duration=duration, names=names)
        try:
            time.sleep(duration / 2)
            held = spread(server_pids, int(target.origin.rsplit(":", 1)[1]))
            results, generator, wall = finish(run)
        except BaseException:
            run.process.kill()
            raise
    for result in results.values():
        result.cpu = f"{meter.summary(wall, generator)}; connections per server process {held}"
    drain(target.origin + target.idle_path)
    return results


def drain(url: str, limit: float = 120) -> None:
    """Wait until the server answers `url` within half a second: requests still queued
    when wrk stopped (Isso's sync workers keep a backlog) must not slow the next phase."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        began = time.monotonic()
        try:
            httpx.get(url, timeout=limit)
        except httpx.HTTPError:
            time.sleep(0.5)
            continue
        if time.monotonic() - began < 0.5:
            return
