"""A theme whose reader widgets outgrow the 10 KB budget fails the build, naming the files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from builder_testlib import options, post

from builder.pipeline import build_site
from builder.themes import resolve_theme


def test_build_fails_when_widgets_exceed_budget(make_site, tmp_path: Path) -> None:
    site = make_site({"content/posts/a.md": post("A")})
    theme = site / "themes" / "default"
    shutil.copytree(resolve_theme("default", site), theme)
    script = theme / "static" / "js" / "quire-widgets.js"
    # Incompressible bytes, so gzip cannot hide the growth: 12 KB over the 10 KB budget.
    script.write_text(script.read_text() + "\n//" + os.urandom(6000).hex(), encoding="utf-8")

    result = build_site(site, options())

    assert not result.ok
    [problem] = [d for d in result.errors if d.field == "budget"]
    assert problem.file == "default/theme.toml"
    assert "quire-widgets.js" in str(problem)
    assert not (site / "public" / "index.html").exists()


def test_default_theme_builds_within_budget(make_site) -> None:
    site = make_site({"content/posts/a.md": post("A")})
    result = build_site(site, options())
    assert result.ok, [str(d) for d in result.errors]
