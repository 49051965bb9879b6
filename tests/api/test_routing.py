"""No request can match routes of two routers: the app mounts the readers' routers first
(the hot path is matched sooner), which must decide nothing about who answers."""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import re

from fastapi.routing import APIRoute

import interactions_api.routers as routers_pkg

SAMPLES = ("1", "x", "unsubscribe", "preview")  # path parameter values to try


def _routes() -> list[tuple[str, APIRoute]]:
    found = []
    for info in pkgutil.iter_modules(routers_pkg.__path__):
        module = importlib.import_module(f"{routers_pkg.__name__}.{info.name}")
        router = getattr(module, "router", None)
        for route in getattr(router, "routes", []):
            if isinstance(route, APIRoute):
                found.append((info.name, route))
    return found


def _paths(route: APIRoute) -> list[str]:
    return [re.sub(r"\{[^}]+\}", value, route.path) for value in SAMPLES]


def test_no_request_matches_routes_of_two_routers() -> None:
    clashes = []
    for (name_a, a), (name_b, b) in itertools.combinations(_routes(), 2):
        if name_a == name_b or not (a.methods & b.methods):
            continue
        if any(b.path_regex.match(p) for p in _paths(a)) or any(
            a.path_regex.match(p) for p in _paths(b)
        ):
            clashes.append(f"{name_a} {a.path} ~ {name_b} {b.path} ({a.methods & b.methods})")
    assert clashes == []
