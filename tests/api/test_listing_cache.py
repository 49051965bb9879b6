"""The per-process listing cache: concurrent misses share one render, writes win."""

from __future__ import annotations

import asyncio

import pytest

from interactions_api.routers._cache import ResponseCache


class Renderer:
    """Counts renders and holds each one open until released, like a slow query."""

    def __init__(self, body: bytes = b"{}") -> None:
        self.body = body
        self.calls = 0
        self.release = asyncio.Event()

    async def __call__(self) -> bytes:
        self.calls += 1
        await self.release.wait()
        return self.body


def test_concurrent_misses_share_one_render() -> None:
    async def scenario() -> None:
        cache, render = ResponseCache(ttl=60), Renderer(b"listing")
        key = ("listing", "t1", "0")
        tasks = [asyncio.create_task(cache.get_or_render(key, render)) for _ in range(20)]
        await asyncio.sleep(0)
        render.release.set()
        assert await asyncio.gather(*tasks) == [b"listing"] * 20
        assert render.calls == 1
        assert cache.get(key) == b"listing"

    asyncio.run(scenario())


def test_a_write_during_a_render_is_not_hidden_by_it() -> None:
    async def scenario() -> None:
        cache, before, after = ResponseCache(ttl=60), Renderer(b"old"), Renderer(b"new")
        key = ("listing", "t1", "0")
        first = asyncio.create_task(cache.get_or_render(key, before))
        await asyncio.sleep(0)
        cache.invalidate("t1")  # a comment was posted while the old render ran
        second = asyncio.create_task(cache.get_or_render(key, after))
        await asyncio.sleep(0)
        before.release.set()
        after.release.set()
        assert await first == b"old"
        assert await second == b"new"  # did not join the render that predates the write
        assert cache.get(key) == b"new"

    asyncio.run(scenario())


def test_a_failed_render_is_retried_by_its_waiters() -> None:
    async def scenario() -> None:
        cache = ResponseCache(ttl=60)
        key = ("listing", "t1", "0")
        gate = asyncio.Event()

        async def broken() -> bytes:
            await gate.wait()
            raise RuntimeError("database went away")

        waiter_render = Renderer(b"recovered")
        waiter_render.release.set()
        first = asyncio.create_task(cache.get_or_render(key, broken))
        await asyncio.sleep(0)
        second = asyncio.create_task(cache.get_or_render(key, waiter_render))
        await asyncio.sleep(0)
        gate.set()
        with pytest.raises(RuntimeError):
            await first
        assert await second == b"recovered"
        assert cache.get(key) is None  # a waiter's own render is not stored

    asyncio.run(scenario())


def test_caching_off_renders_every_time() -> None:
    async def scenario() -> None:
        cache, render = ResponseCache(ttl=0), Renderer()
        render.release.set()
        for _ in range(3):
            await cache.get_or_render(("listing", "t1", "0"), render)
        assert render.calls == 3

    asyncio.run(scenario())
