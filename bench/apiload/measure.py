"""What a load phase measured, and the CPU that the server, the generator and the rest of
the machine used meanwhile (a generator short of CPU measures itself, not the server)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import psutil


@dataclass
class Result:
    """One request kind of one phase: latencies (ms) of the answers, and what failed."""

    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)  # every answer's status
    ok: tuple[int, ...] = (200,)
    socket_errors: int = 0  # connect/read/write errors and timeouts (no answer at all)
    socket_detail: dict[str, int] = field(default_factory=dict)  # the same, by kind
    cpu: str = ""  # who used the CPU during the phase
    percentiles: dict[float, float] = field(default_factory=dict)  # from wrk's histogram
    created: list[int] = field(default_factory=list)  # ids in 201 answers to comment posts

    @property
    def n(self) -> int:
        return len(self.latencies)

    @property
    def errors(self) -> int:
        bad = sum(c for s, c in self.statuses.items() if s not in self.ok)
        return bad + self.socket_errors

    @property
    def server_errors(self) -> int:
        return sum(c for s, c in self.statuses.items() if s >= 500)

    @property
    def rps(self) -> float:
        """Successful answers per second."""
        good = sum(c for s, c in self.statuses.items() if s in self.ok)
        return good / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if p in self.percentiles:
            return self.percentiles[p]
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def line(self) -> str:
        bad = {s: c for s, c in sorted(self.statuses.items()) if s not in self.ok}
        detail = f"  {bad}" if bad else ""
        if self.socket_errors:
            detail += f" socket {self.socket_detail}"
        return (
            f"{self.name:<36} {self.rps:8.1f} req/s  p50 {self.pct(50):7.1f} ms  "
            f"p99 {self.pct(99):7.1f} ms  errors {self.errors}{detail}"
        )


class CpuMeter:
    """CPU seconds of the server's processes and of the whole machine over a phase."""

    def __init__(self, server_pids: list[int]) -> None:
        self.server_pids = server_pids

    def __enter__(self) -> CpuMeter:
        self.server0 = self._server_cpu()
        self.machine0 = psutil.cpu_times()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server = self._server_cpu() - self.server0
        after = psutil.cpu_times()
        self.busy = _busy(after) - _busy(self.machine0)

    def _server_cpu(self) -> float:
        total = 0.0
        for pid in self.server_pids:
            try:
                root = psutil.Process(pid)
                for proc in [root, *root.children(recursive=True)]:
                    times = proc.cpu_times()
                    total += times.user + times.system
            except psutil.Error:
                continue  # gone (the soak kills workers): its share is lost, not wrong
        return total

    def summary(self, seconds: float, generator: float) -> str:
        """'server 1.7 cores, generator 0.2, others 0.1 of 2' over `seconds`."""
        if seconds <= 0:
            return ""
        others = max(0.0, self.busy - self.server - generator)
        return (
            f"CPU: server {self.server / seconds:.2f} cores, generator {generator / seconds:.2f}, "
            f"rest of machine {others / seconds:.2f}, of {os.cpu_count()}"
        )


def spread(pids: list[int], port: int) -> list[int]:
    """Open connections to `port` held by each server process, busiest first: keep-alive
    connections stay with the worker that accepted them, so this shows how many of the
    server's processes a phase really used."""
    counts: list[int] = []
    for pid in pids:
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            continue
        for proc in procs:
            try:
                held = proc.net_connections("tcp")
            except psutil.Error:
                continue
            n = sum(1 for c in held if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)
            if n:
                counts.append(n)
    return sorted(counts, reverse=True)


def _busy(times: psutil._common.scputimes) -> float:  # type: ignore[name-defined]
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))
