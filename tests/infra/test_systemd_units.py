"""The systemd units and the production environment file in infra/."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from builder.publish.settings import PublishSettings
from interactions_api.config import Settings

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "infra" / "systemd"
ENV_EXAMPLE = ROOT / "infra" / "quire.env.example"
INSTALLED_QUIRE = "/opt/quire/venv/bin/quire"
SERVICES = ["quire-api.service", "quire-worker@.service"]
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "RestrictSUIDSGID": "yes",
    "CapabilityBoundingSet": "",
    "ReadWritePaths": "/var/lib/quire",
}


def quire_cli() -> Any:
    """The `quire` console script's command group (Typer's own click), as installed."""
    import interactions_api.cli as cli

    app: typer.Typer = getattr(cli, "app", None) or __import__("builder.cli").cli.app
    return typer.main.get_command(app)


def _has_command(name: str) -> bool:
    return name in quire_cli().commands


def _unit(name: str) -> configparser.ConfigParser:
    # systemd repeats keys (SystemCallFilter=); the last one is enough to read here.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize("name", SERVICES)
def test_units_are_hardened(name: str) -> None:
    service = _unit(name)["Service"]
    for key, value in HARDENING.items():
        assert service.get(key) == value, f"{name}: {key}"
    assert service["User"] == "quire"
    assert service["EnvironmentFile"] == "/etc/quire/quire.env"


@pytest.mark.parametrize(
    ("name", "subcommand"),
    [
        pytest.param(
            "quire-api.service",
            "api",
            marks=pytest.mark.xfail(
                not _has_command("api"), reason="`quire api` is not registered yet", strict=True
            ),
        ),
        pytest.param(
            "quire-worker@.service",
            "worker",
            marks=pytest.mark.xfail(
                not _has_command("worker"),
                reason="`quire worker` is not registered yet (issue 7)",
                strict=True,
            ),
        ),
    ],
)
def test_exec_start_names_a_real_quire_command(name: str, subcommand: str) -> None:
    """ExecStart runs an existing `quire` subcommand with options it accepts."""
    argv = shlex.split(_unit(name)["Service"]["ExecStart"])
    assert argv[0] == INSTALLED_QUIRE
    assert argv[1] == subcommand
    command = quire_cli().commands[subcommand]
    known = {opt for param in command.params for opt in param.opts}
    given = [a.split("=", 1)[0] for a in argv[2:] if a.startswith("-")]
    assert set(given) <= known, f"{name}: unknown options {set(given) - known}"
    # Parsing raises on a bad value or a missing argument, as the real start would.
    command.make_context(subcommand, argv[2:])


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verify_is_clean(tmp_path: Path) -> None:
    """systemd itself parses the units: no unknown key, no bad value, a real executable."""
    quire = Path(sys.executable).parent / "quire"  # this checkout's quire stands in
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8").replace(INSTALLED_QUIRE, str(quire))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    # A template is verified through an instance of it.
    shutil.copy(tmp_path / "quire-worker@.service", tmp_path / "quire-worker@1.service")
    names = ["quire-api.service", "quire-worker@1.service", "quire-workers.target"]
    proc = subprocess.run(
        ["systemd-analyze", "verify", *(f"./{n}" for n in names)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    problems = [line for line in proc.stderr.splitlines() if "quire" in line]
    assert proc.returncode == 0 and not problems, proc.stderr


def _example_vars() -> dict[str, str]:
    found = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"(QUIRE_[A-Z0-9_]+)=(.*)", line)
        if match:
            found[match[1]] = match[2]
    return found


def test_env_example_names_only_real_settings() -> None:
    fields = set(Settings.model_fields) | set(PublishSettings.model_fields)
    unknown = [n for n in _example_vars() if n.removeprefix("QUIRE_").lower() not in fields]
    assert not unknown, f"{ENV_EXAMPLE.name} sets settings that do not exist: {unknown}"


def test_env_example_covers_what_production_needs() -> None:
    names = set(_example_vars())
    needed = {"ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SITE_ORIGINS", "MANIFEST_PATH"}
    needed |= {"PUBLISH_TARGET", "CLOUDFRONT_DISTRIBUTION_ID", "SMTP_HOST", "TRUSTED_PROXIES"}
    assert {f"QUIRE_{n}" for n in needed} <= names


def test_env_example_loads_once_the_placeholders_are_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file parses as written (lists, quotes); its placeholder secret is refused."""
    for name in [n for n in os.environ if n.startswith("QUIRE_")]:
        monkeypatch.delenv(name)
    with pytest.raises(ValueError, match="QUIRE_SECRET_KEY"):
        Settings(_env_file=ENV_EXAMPLE)
    filled = tmp_path / "quire.env"
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    filled.write_text(
        text.replace("QUIRE_SECRET_KEY=CHANGE-ME", "QUIRE_SECRET_KEY=" + "k" * 48),
        encoding="utf-8",
    )
    settings = Settings(_env_file=filled)
    assert settings.env == "production"
    assert settings.site_origins == ["https://blog.example.org"]
    assert settings.cookie_secure is True
    publish = PublishSettings(_env_file=filled)
    assert publish.publish_target.startswith("s3://")
