"""The widget weight budget: measured on the real theme, and enforced on an oversized one."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from builder.budget import DEFAULT_LIMIT_KB, check_widget_budget, measure_widget_budget

REPO = Path(__file__).resolve().parents[2]
THEME = REPO / "themes" / "default"


def test_default_theme_widgets_fit_the_budget(record_property: pytest.RecordProperty) -> None:
    report = measure_widget_budget(THEME)
    record_property("widget_gzip_bytes", report.total)
    print(f"\nwidget budget: {report.describe()}")
    names = [name for name, _ in report.sizes]
    assert "static/js/quire-widgets.js" in names
    assert "static/css/quire-widgets.css" in names
    # The editor is loaded on demand, so it is not part of what every reader downloads.
    assert not any("editor" in name for name in names)
    assert report.limit == DEFAULT_LIMIT_KB * 1024
    assert check_widget_budget(THEME) is None, report.describe()


def test_budget_holds_for_a_fresh_build_of_the_widget_sources(tmp_path: Path) -> None:
    # The shipped scripts are build output (widgets/build.js): measure what a build of
    # widgets/src gives now, and require that it is what the theme ships.
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "esbuild").is_dir():
        if os.environ.get("CI"):
            pytest.fail("Node.js and `npm ci` are required to build the widgets")
        pytest.skip("Node.js or node_modules/esbuild is missing (run `npm ci`)")
    theme = tmp_path / "default"
    shutil.copytree(THEME, theme)
    out = theme / "static" / "js"
    for name in ("quire-widgets.js", "quire-widgets-editor.js"):
        (out / name).unlink()
    build = [node, str(REPO / "widgets" / "build.js"), "--out", str(out)]
    subprocess.run(build, check=True, cwd=REPO, timeout=60)
    report = measure_widget_budget(theme)
    assert check_widget_budget(theme) is None, report.describe()
    for name in ("quire-widgets.js", "quire-widgets-editor.js"):
        fresh, shipped = (out / name).read_bytes(), (THEME / "static" / "js" / name).read_bytes()
        assert fresh == shipped, f"{name} is not a fresh build of widgets/src: run `make widgets`"


def _theme(tmp_path: Path, js: bytes, toml: str | None = None) -> Path:
    theme = tmp_path / "t"
    (theme / "static" / "js").mkdir(parents=True)
    (theme / "static" / "css").mkdir(parents=True)
    (theme / "static" / "js" / "quire-widgets.js").write_bytes(js)
    (theme / "static" / "css" / "quire-widgets.css").write_text("a{color:red}")
    if toml is not None:
        (theme / "theme.toml").write_text(toml)
    return theme


def test_over_budget_is_an_error_naming_files_and_sizes(tmp_path: Path) -> None:
    # Random bytes do not compress: 12 KiB of them are over a 10 KiB gzipped budget.
    theme = _theme(tmp_path, os.urandom(12 * 1024))
    diag = check_widget_budget(theme)
    assert diag is not None and diag.severity == "error"
    assert "static/js/quire-widgets.js 12." in diag.message
    assert "static/css/quire-widgets.css" in diag.message
    assert "of 10.0 KB gzipped" in diag.message


def test_theme_toml_sets_files_and_limit(tmp_path: Path) -> None:
    toml = '[budget]\nfiles = ["static/js/quire-widgets.js"]\nlimit_kb = 0.01\n'
    diag = check_widget_budget(_theme(tmp_path, b"console.log('hello, widgets');" * 3, toml))
    assert diag is not None
    assert "quire-widgets.css" not in diag.message  # only the listed file is measured
    assert check_widget_budget(_theme(tmp_path / "b", b"x", toml.replace("0.01", "5"))) is None


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ("[budget\n", "not valid TOML"),
        ('[budget]\nfiles = ["static/js/missing.js"]\n', "'static/js/missing.js', which does not"),
        ('[budget]\nfiles = ["../../etc/passwd"]\n', "is outside the theme"),
        ("[budget]\nlimit_kb = -1\n", "limit_kb must be a positive number"),
        ("[budget]\nfiles = 3\n", "files must be a list"),
    ],
)
def test_bad_budget_section_is_reported(tmp_path: Path, toml: str, needle: str) -> None:
    diag = check_widget_budget(_theme(tmp_path, b"x", toml))
    assert diag is not None and needle in diag.message
    assert diag.file == "t/theme.toml"
