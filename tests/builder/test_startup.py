"""`quire` imports only what a command uses: the help and a build that finds nothing to do
load neither the service (FastAPI, SQLModel), the publishing clients (boto3), Pydantic,
rich, nor the renderers (markdown-it, Pygments, Jinja, YAML).

Each check runs the real console script's code in a fresh interpreter and looks at which
modules it imported, so it does not depend on how fast the machine is.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import typer.core
import typer.main
from builder_testlib import SITES
from typer import _coercion
from typer._click import Context

from builder.uptodate import FINE_RACY_NS
from interactions_api.cli import app

ROOT = Path(__file__).resolve().parents[2]
# Runs `quire ARGS...` as the console script does, then writes the top-level names of the
# modules it imported (and its exit status) to the file named first.
PROBE = """
import json, sys
from interactions_api.cli import main
report, sys.argv = sys.argv[1], ["quire", *sys.argv[2:]]
try:
    main()
    status = 0
except SystemExit as exit:
    status = exit.code or 0
with open(report, "w") as out:
    json.dump({"status": status, "modules": sorted({m.split(".")[0] for m in sys.modules})}, out)
"""
SERVICE = {"fastapi", "starlette", "uvicorn", "sqlmodel", "sqlalchemy", "alembic", "redis", "rq"}
PUBLISHING = {"boto3", "botocore"}
RENDERERS = {"markdown_it", "mdit_py_plugins", "pygments", "jinja2", "yaml", "nh3"}
OTHERS = {"pydantic", "pydantic_core", "pydantic_settings", "rich"}
HEAVY = SERVICE | PUBLISHING | RENDERERS | OTHERS


def run_quire(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """`quire ARGS` in a fresh interpreter: its output, and what it imported."""
    report = cwd / "imported.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(report), *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert report.is_file(), done.stderr
    return done, json.loads(report.read_text())


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["deploy", "--help"]])
def test_help_imports_nothing_heavy(tmp_path: Path, args: list[str]) -> None:
    done, probe = run_quire(*args, cwd=tmp_path)
    assert probe["status"] == 0, done.stderr
    assert "Usage: quire" in done.stdout
    assert sorted(HEAVY & set(probe["modules"])) == []


def test_a_build_with_nothing_to_do_imports_no_renderer(tmp_path: Path) -> None:
    site = Path(shutil.copytree(SITES / "basic", tmp_path / "basic"))  # has code to highlight
    time.sleep(FINE_RACY_NS / 1e9 + 0.02)  # inputs written this recently are never trusted
    first, probe = run_quire("build", str(site), "--no-search", cwd=tmp_path)
    assert probe["status"] == 0, first.stderr
    assert {"markdown_it", "pygments", "jinja2"} <= set(probe["modules"])  # it rendered

    again, probe = run_quire("build", str(site), "--no-search", cwd=tmp_path)
    assert probe["status"] == 0, again.stderr
    assert "(0 files changed" in again.stdout
    assert sorted(HEAVY & set(probe["modules"])) == []


def _parameters(command: Any) -> list[tuple[Any, Any]]:
    found = [(command, param) for param in command.params]
    for sub in getattr(command, "commands", {}).values():
        found.extend(_parameters(sub))
    return found


VALUES = [
    "8000", "0", "-3", "+5", " 7 ", "1_000", "8000.0", "1.", "1.5", "abc", "", "0x10", "١٢",
    "true", "no", "YES", "Off", "t", "2", "site/x", ".", "-", None, 3, True, 2.0, Path("x"),
]  # fmt: skip


def test_plain_values_are_converted_as_typer_converts_them() -> None:
    """builder.cli.coercion against Typer's own (Pydantic) conversion, for every parameter
    of every `quire` command: the same value, or an error from both."""
    group = typer.main.get_command(app)
    checked = set()
    for command, param in _parameters(group):
        descriptor = param.type_descriptor
        ours = typer.core.build_runtime_param(descriptor)  # type: ignore[attr-defined]
        theirs = _coercion.build_runtime_param(descriptor)
        assert type(ours).__name__ == "PlainRuntimeParam", (command.name, param.name)
        checked.add(descriptor.annotation)
        context = Context(command)
        for value in VALUES:
            assert _outcome(ours, value, param, context) == _outcome(
                theirs, value, param, context
            ), (command.name, param.name, value)
    assert checked == {str, int, bool, Path}


def _outcome(runtime: Any, value: Any, param: Any, context: Any) -> tuple[str, Any]:
    try:
        return "value", runtime.coerce(value, param=param, ctx=context)
    except typer.BadParameter:
        return "error", None
