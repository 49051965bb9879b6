"""Typer's conversion of command-line values, without Pydantic for the plain types.

Typer (0.29) converts every value a command receives (a site folder, a port) through a
Pydantic TypeAdapter built when the command runs: importing Pydantic and building the
adapters takes 0.1-0.2 s, more than the rest of a `quire build` that finds nothing to do.
Quire's commands take only `str`, `int`, `bool` and `Path` values: for those this
converts as Typer does (a path through Typer's own checks, with the value already a
Path so that they need no Pydantic either) and leaves every other type to Typer.

This replaces Typer's internal `typer.core.build_runtime_param`; if a Typer release
moves it, `install` does nothing and Typer converts everything itself (slower, the same
values). tests/builder/test_startup.py compares both conversions for every parameter of
every command, and checks that a no-op build does not import Pydantic.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

_PLAIN = (str, int, bool, Path)
# the words Pydantic (and so Typer) takes for a boolean
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def install() -> None:
    """Convert plain values without Pydantic from now on (idempotent)."""
    try:
        import typer.core
        from typer._coercion import RuntimeParam
        from typer._coercion import build_runtime_param as typer_build
        from typer._param_types import coerce_cli_path
        from typer.models import ParameterInfo
    except ImportError:  # a Typer without these internals: leave it as it is
        return
    if getattr(vars(typer.core).get("build_runtime_param"), "quire_plain", False):
        return

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        """A str, int, bool or Path parameter, converted as Typer's Pydantic adapter would."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            kind = self.annotation
            if kind is Path:
                info: ParameterInfo = self.parameter_info
                path = _path(value, param, ctx)
                return coerce_cli_path(path, info, path_type=Path, param=param, ctx=ctx)
            if kind is bool:
                return _boolean(value, param, ctx)
            if kind is int:
                return _integer(value, param, ctx)
            return _text(value)

    def build_runtime_param(descriptor: Any) -> Any:
        if _plain(descriptor):
            return PlainRuntimeParam(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
            )
        return typer_build(descriptor)

    build_runtime_param.quire_plain = True  # type: ignore[attr-defined]
    typer.core.build_runtime_param = build_runtime_param  # type: ignore[attr-defined]


def _plain(descriptor: Any) -> bool:
    """A str, int, bool or Path parameter with nothing that needs Typer's own conversion."""
    info = descriptor.parameter_info
    return (
        descriptor.annotation in _PLAIN
        and descriptor.file_annotation is None
        and getattr(info, "parser", None) is None
        and getattr(info, "path_type", None) is None
        and getattr(info, "min", None) is None
        and getattr(info, "max", None) is None
    )


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return str(value)


def _path(value: Any, param: Any, ctx: Any) -> Path:
    from typer import BadParameter

    if isinstance(value, str | PurePath):
        return Path(value)
    raise BadParameter(f"{value!r} is not a path.", ctx=ctx, param=param)


def _integer(value: Any, param: Any, ctx: Any) -> int:
    """As Pydantic reads an integer: ASCII digits, a sign, `_` between digits, and a
    fraction only when it is zero ("8000.0")."""
    from typer import BadParameter

    if isinstance(value, int):
        return int(value)
    text = _text(value).strip()
    whole, dot, fraction = text.partition(".")
    if text.isascii() and not (dot and (not fraction or fraction.strip("0"))):
        with contextlib.suppress(ValueError):
            return int(whole)
    raise BadParameter(f"{value!r} is not a whole number.", ctx=ctx, param=param)


def _boolean(value: Any, param: Any, ctx: Any) -> bool:
    from typer import BadParameter

    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    word = _text(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE or word == "":
        return False
    raise BadParameter(f"{value!r} is not true or false.", ctx=ctx, param=param)
