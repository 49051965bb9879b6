"""The service's shell commands: db upgrade, user create, api and worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest
from rq import Queue
from rq.serializers import JSONSerializer
from sqlmodel import Session, select
from typer.testing import CliRunner

from interactions_api.cli import app as cli
from interactions_api.db import make_engine
from interactions_api.models.user import Role, User
from interactions_api.services.passwords import verify_password
from tests.api.conftest import Mailbox

QUIRE = Path(sys.executable).with_name("quire")


@pytest.fixture
def shell_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "QUIRE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "QUIRE_DATA_DIR": str(tmp_path / "data"),
        "QUIRE_ENV": "test",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return env


def test_api_refuses_an_unmigrated_database(shell_env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["api", "--port", "1"])
    assert result.exit_code == 1
    assert 'database is not up to date: run "quire db upgrade"' in result.output


def test_db_upgrade_then_create_the_first_admin(shell_env: dict[str, str]) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(cli, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "database is up to date" in upgraded.output
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0  # idempotent

    created = runner.invoke(
        cli,
        [
            "user",
            "create",
            "--email",
            "Boss@Example.org",
            "--display-name",
            "Boss",
            "--role",
            "admin",
        ],
        input="the admin passphrase\nthe admin passphrase\n",
    )
    assert created.exit_code == 0, created.output
    engine = make_engine(shell_env["QUIRE_DATABASE_URL"])
    with Session(engine) as db:
        user = db.exec(select(User)).one()
    engine.dispose()
    assert (user.email, user.role, user.email_verified) == ("boss@example.org", Role.admin, True)
    assert verify_password(user.password_hash, "the admin passphrase")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "king", "--password", "the admin passphrase"], "--role must be one of"),
        (["--role", "admin", "--password", "password123"], "at least 12 characters"),
        (["--role", "admin", "--password", "password12345"], "too common"),
    ],
)
def test_user_create_errors_are_clear(
    shell_env: dict[str, str], args: list[str], message: str
) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["db", "upgrade"])
    base = ["user", "create", "--email", "a@example.org", "--display-name", "A"]
    result = runner.invoke(cli, base + args)
    assert result.exit_code != 0
    assert message in result.output


def test_user_create_applies_the_sign_up_address_rules(shell_env: dict[str, str]) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["db", "upgrade"])
    made = ["--display-name", "A", "--password", "the admin passphrase"]
    assert (
        runner.invoke(cli, ["user", "create", "--email", "ada@example.org", *made]).exit_code == 0
    )
    fullwidth = "".join(chr(ord(ch) + 0xFEE0) for ch in "ada") + "@example.org"
    again = runner.invoke(cli, ["user", "create", "--email", fullwidth, *made])
    assert (again.exit_code, "already exists" in again.output) == (1, True)
    mixed = runner.invoke(cli, ["user", "create", "--email", "\u0430da@example.org", *made])
    assert (mixed.exit_code, "mixes letters" in mixed.output) == (1, True)


def test_worker_sends_queued_mail(
    shell_env: dict[str, str], redis_server: Any, smtp_server: Mailbox
) -> None:
    redis_server.flushall()
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0  # the worker checks it too
    Queue("default", connection=redis_server, serializer=JSONSerializer).enqueue(
        "interactions_api.worker.jobs.send_mail",
        kwargs={"to": "worker@example.org", "subject": "Hi", "body": "from the worker"},
    )
    env = {
        **os.environ,
        **shell_env,
        "QUIRE_REDIS_URL": f"unix://{redis_server.socket_file}",
        "QUIRE_SMTP_HOST": smtp_server.host,
        "QUIRE_SMTP_PORT": str(smtp_server.port),
        "QUIRE_SMTP_STARTTLS": "false",
    }
    done = subprocess.run(
        [str(QUIRE), "worker", "--burst"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    [message] = smtp_server.to("worker@example.org")
    assert message["Subject"] == "Hi"


def test_quire_api_serves_with_an_embedded_redis(shell_env: dict[str, str]) -> None:
    import socket
    import time

    import httpx

    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [str(QUIRE), "api", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **shell_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        ready = None
        while time.monotonic() < deadline and ready is None:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/api/ready", timeout=2)
            except httpx.TransportError:
                time.sleep(0.2)
        assert ready is not None, "quire api did not start"
        expected = {"status": "ok", "database": "ok", "redis": "ok", "worker": "none"}
        assert ready.json() == expected
        registry = Path(shell_env["QUIRE_DATA_DIR"]) / "redis.db.settings"
        redis_pid = int(Path(json.loads(registry.read_text())["pidfile"]).read_text())
        assert psutil.pid_exists(redis_pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
        if server.stderr is not None:
            server.stderr.close()
    # The embedded Redis stops with the API: no server process is left behind.
    for _ in range(50):
        if not psutil.pid_exists(redis_pid) or psutil.Process(redis_pid).status() == "zombie":
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"embedded redis-server {redis_pid} outlived `quire api`")
