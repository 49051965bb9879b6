"""quire.toml: defaults, overrides and one clear message per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.config import (
    BuildOptions,
    ConfigError,
    SiteConfig,
    parse_config,
    site_settings_table,
)
from builder.pipeline import effective_config


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return [str(d) for d in caught.value.diagnostics]


def test_defaults() -> None:
    config = parse_config('title = "Blog"\nbase_url = "https://blog.example.com/"\n')
    assert config.base_url == "https://blog.example.com"  # trailing slash dropped
    assert (config.language, config.timezone, config.theme) == ("en", "UTC", "default")
    assert (config.per_page, config.feed_items, config.output_dir) == (10, 20, "public")
    assert (config.allow_html, config.comments, config.api_base) == (False, True, "")
    assert config.menu == () and config.params == {} and config.default_authors == ()


def test_menu_params_and_overrides() -> None:
    config = parse_config(
        'title = "Blog"\nbase_url = "https://blog.example.com"\ndefault_authors = ["ada"]\n'
        '[params]\naccent = "teal"\n'
        '[[menu]]\nname = "About"\nurl = "/about/"\n'
    )
    assert config.menu[0].name == "About" and config.params == {"accent": "teal"}
    preview = effective_config(config, BuildOptions(base_url="http://127.0.0.1:8000/"))
    assert preview.base_url == "http://127.0.0.1:8000" and config.base_url != preview.base_url


def test_every_mistake_is_named_with_its_line() -> None:
    assert errors(
        'description = "no title"\nbase_url = "blog.example.com"\ntimezone = "Mars/Olympus"\n'
        'output_dir = "../elsewhere"\nper_page = 0\nallow_html = "yes"\ncomments = true\n'
        '[[menu]]\nname = "Evil"\nurl = "javascript:alert(1)"\n[[menu]]\nname = "No URL"\n'
    ) == [
        "error: quire.toml: `title` is required Add `title = ...` to quire.toml.",
        "error: quire.toml:2: `base_url` must be an absolute http(s) URL such as "
        "https://blog.example.com",
        "error: quire.toml:3: `timezone` is not a known time zone (use e.g. UTC or Europe/Paris)",
        "error: quire.toml:4: `output_dir` must be a folder inside the site, such as public",
        "error: quire.toml:5: `per_page` input should be greater than or equal to 1",
        "error: quire.toml:6: `allow_html` input should be a valid boolean "
        "Write `allow_html = true` or `allow_html = false`.",
        "error: quire.toml:10: `menu.0.url` must be a path such as /about/ or an http(s) URL",
        "error: quire.toml:11: `menu.1.url` is required Add `url = ...` to that [menu] entry.",
    ]


def test_toml_syntax_errors_name_the_line() -> None:
    assert errors('title = "Blog"\nper_page = = 3\n') == [
        "error: quire.toml:2: not valid TOML: Invalid value (at line 2, column 12) "
        "Check quoting and `key = value` syntax."
    ]


def test_site_config_is_frozen() -> None:
    config = SiteConfig(title="Blog")
    with pytest.raises(ValueError, match="frozen"):
        config.title = "Other"  # type: ignore[misc]


def test_readme_lists_every_site_setting() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- site-settings:start -->\n", "\n<!-- site-settings:end -->"
    assert start in readme and end in readme
    documented = readme.split(start, 1)[1].split(end, 1)[0]
    assert documented == site_settings_table(), (
        "README's quire.toml table is stale; regenerate it with "
        '`python -c "from builder.config import site_settings_table; print(site_settings_table())"`'
    )
