"""Fingerprinted theme assets, the code stylesheets and the optional widget files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from themekit import REPO, find_all, html, make_site, post, render

from builder.render.assets import build_assets, fingerprint
from builder.themes import ThemeError, resolve_theme


def _theme_copy(tmp_path: Path) -> Path:
    theme = tmp_path / "themes" / "default"
    shutil.copytree(REPO / "themes" / "default", theme)
    return theme


def test_every_static_file_is_fingerprinted_and_referenced(tmp_path: Path) -> None:
    out = render(make_site([post(1)]))
    assets = {p: f for p, f in out.items() if f.kind == "asset"}
    assert re.fullmatch(
        r"assets/css/main\.[0-9a-f]{10}\.css",
        next(p for p in assets if p.startswith("assets/css/main.")),
    )
    theme_static = REPO / "themes" / "default" / "static"
    for source in theme_static.rglob("*"):
        if source.is_file():
            rel = source.relative_to(theme_static).as_posix()
            expected = "assets/" + fingerprint(rel, source.read_bytes())
            assert out[expected].data == source.read_bytes()
    text = html(out, "posts/post-1/index.html")
    sheets = [link.attrs["href"] for link in find_all(text, "link", rel="stylesheet")]
    main = next(p for p in assets if p.startswith("assets/css/main."))
    assert "/" + main in sheets


def test_a_changed_file_gets_a_new_name(tmp_path: Path) -> None:
    theme = _theme_copy(tmp_path)
    before = build_assets(theme).urls["css/main.css"]
    css = theme / "static" / "css" / "main.css"
    css.write_text(css.read_text() + "\n.new { color: red; }\n")
    after = build_assets(theme).urls["css/main.css"]
    assert before != after
    out = render(make_site([post(1)]), theme)
    sheets = [x.attrs["href"] for x in find_all(html(out, "index.html"), "link", rel="stylesheet")]
    assert after in sheets and before not in sheets


def test_code_stylesheet_has_light_and_dark_rules() -> None:
    out = render(make_site([post(1)]))
    path = next(p for p in out if p.startswith("assets/css/pygments."))
    css = out[path].data.decode()
    light, _, dark = css.partition("@media (prefers-color-scheme: dark)")
    assert ".highlight .k" in light and ".highlight .k" in dark  # keywords styled in both
    assert ".highlight .hll" in light  # highlighted lines
    assert "/" + path in [
        x.attrs["href"]
        for x in find_all(html(out, "posts/post-1/index.html"), "link", rel="stylesheet")
    ]


def test_main_css_follows_the_colour_scheme_and_shows_focus() -> None:
    css = (REPO / "themes/default/static/css/main.css").read_text()
    assert "@media (prefers-color-scheme: dark)" in css
    assert ":focus-visible" in css
    assert "@import" not in css  # no render-blocking chains, no framework


def test_no_render_blocking_scripts_on_any_page() -> None:
    out = render(make_site([post(1)]))
    for path, file in out.items():
        if file.kind == "html":
            for script in find_all(file.data.decode(), "script"):
                assert "src" not in script.attrs or "defer" in script.attrs, path


def test_widget_files_are_included_only_when_the_theme_ships_them(tmp_path: Path) -> None:
    theme = _theme_copy(tmp_path)
    for name in ("js/quire-widgets.js", "js/quire-widgets-editor.js", "css/quire-widgets.css"):
        (theme / "static" / name).unlink(missing_ok=True)
    bare = render(make_site([post(1)]), theme)
    assert "quire-widgets" not in html(bare, "posts/post-1/index.html")
    (theme / "static/js/quire-widgets.js").write_text("// widget\n")
    (theme / "static/js/quire-widgets-editor.js").write_text("// editor\n")
    (theme / "static/css/quire-widgets.css").write_text(".quire-like{}\n")
    out = render(make_site([post(1)]), theme)
    urls = build_assets(theme).urls
    for path in ("posts/post-1/index.html", "index.html"):
        text = html(out, path)
        script = find_all(text, "script", src=urls["js/quire-widgets.js"])[0]
        assert "defer" in script.attrs
        assert script.attrs["data-quire-editor"] == urls["js/quire-widgets-editor.js"]
        assert find_all(text, "link", href=urls["css/quire-widgets.css"])
    assert "quire-widgets" not in html(out, "404.html")


def test_resolve_theme_prefers_the_site_then_ships_default(tmp_path: Path) -> None:
    assert resolve_theme("default", tmp_path) == REPO / "themes" / "default"
    own = _theme_copy(tmp_path)
    assert resolve_theme("default", tmp_path) == own


@pytest.mark.parametrize("name", ["nope", "../default", ""])
def test_unknown_theme_names_the_setting(tmp_path: Path, name: str) -> None:
    with pytest.raises(ThemeError, match=r"quire.toml: `theme`"):
        resolve_theme(name, tmp_path)


def test_a_theme_missing_a_template_is_reported_not_crashed(tmp_path: Path) -> None:
    from builder.render import render_site

    theme = _theme_copy(tmp_path)
    (theme / "templates" / "archive.html").unlink()
    outputs, diagnostics = render_site(make_site([post(1)]), theme_dir=theme)
    assert diagnostics and all("archive.html" in d.file for d in diagnostics)
    assert "template is missing" in diagnostics[0].message
    assert any(f.path == "posts/post-1/index.html" for f in outputs)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_colours_meet_wcag_aa_contrast(scheme: str) -> None:
    css = (REPO / "themes/default/static/css/main.css").read_text()
    light_root, _, rest = css.partition("@media (prefers-color-scheme: dark)")
    block = light_root if scheme == "light" else rest.split("}\n}", 1)[0]
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", block))
    for text in ("fg", "muted", "link", "link-visited"):
        for background in ("bg", "surface"):
            ratio = _contrast(colours[text], colours[background])
            assert ratio >= 4.5, f"{scheme}: --{text} on --{background} is {ratio:.2f}:1"
    assert _contrast(colours["focus"], colours["bg"]) >= 3  # non-text contrast of the ring
