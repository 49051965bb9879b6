"""Run CloudFront Functions under Node.js: CloudFront itself cannot run here, its JS runtime can."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HARNESS = Path(__file__).parent / "harness.js"


@pytest.fixture(scope="session")
def node() -> str:
    """The Node.js binary; missing Node is a failure in CI and a skip elsewhere."""
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js is required to test the CloudFront function")
        pytest.skip("Node.js is not installed")
    return found


@pytest.fixture(scope="session")
def run_function(
    node: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str, list[Path]], dict[str, Any]]:
    """Return a runner: function code + event files -> {event file name: outcome}."""
    workdir = tmp_path_factory.mktemp("cf-function")

    def run(code: str, events: list[Path]) -> dict[str, Any]:
        source = workdir / "function.js"
        source.write_text(code, encoding="utf-8")
        proc = subprocess.run(
            [node, str(HARNESS), str(source), *map(str, events)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        result: dict[str, Any] = json.loads(proc.stdout)
        return result

    return run


@pytest.fixture(scope="session")
def starter_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of the starter site (`quire new site`), built with the real builder."""
    site = tmp_path_factory.mktemp("starter") / "site"
    quire = Path(sys.executable).parent / "quire"
    for argv in ([str(quire), "new", "site", str(site)], [str(quire), "build", str(site)]):
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return site / "public"
