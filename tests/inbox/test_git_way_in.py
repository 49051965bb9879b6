"""The git way in: a real `git push` through the installed post-receive hook to the real
API served by uvicorn on loopback; and the signed webhooks of GitHub, GitLab and Gitea."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from inbox_helpers import detail, snapshot

from interactions_api.services.webhooks import install_hook

SECRET = "hook-secret-for-tests-" + "s" * 20


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    """Webhooks on, with a known secret."""
    return {**settings_overrides, "webhook_secret": SECRET}


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _git(
    cwd: Path, *args: str, email: str = "nobody@example.org", wait: int = 0
) -> subprocess.CompletedProcess[str]:
    env = {
        "QUIRE_HOOK_WAIT": str(wait),  # how long the hook waits for the build's verdict
        "PATH": os.environ["PATH"],
        "HOME": str(cwd),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Pusher",
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": "Pusher",
        "GIT_COMMITTER_EMAIL": email,
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_push_to_an_inbox_branch_and_to_main_through_the_hook(
    served: str, author: Any, content_repo: Any, tmp_path: Path, work: Any, bucket: Path
) -> None:
    install_hook(
        content_repo.git_dir, url=f"{served}/api/hooks/push", secret=SECRET, python=sys.executable
    )
    clone = tmp_path / "clone"
    assert _git(tmp_path, "clone", "-q", str(content_repo.git_dir), str(clone)).returncode == 0
    email = author.user.email
    post = clone / "content" / "posts" / "from-git.md"
    post.write_text("---\ntitle: From git\ndate: 2024-05-01\ntags: [Git]\n---\n\nPushed text.\n")
    _git(clone, "add", "-A")
    _git(clone, "commit", "-qm", "A post from git", email=email)

    pushed = _git(clone, "push", "origin", "HEAD:refs/heads/inbox/from-git", email=email)

    assert pushed.returncode == 0, pushed.stderr
    assert "quire: submitted for review: from-git" in pushed.stderr  # git relays hook output
    (sub,) = author.get("/api/inbox/submissions?mine=true").json()
    assert sub["slug"] == "from-git" and sub["status"] == "in_review"
    assert sub["revision"]["body"] == "Pushed text.\n"

    post.write_text("---\ntitle: [broken\n---\nText\n")
    _git(clone, "commit", "-qam", "Break it", email=email)
    bad = _git(clone, "push", "origin", "HEAD:refs/heads/inbox/broken", email=email)
    assert "quire: refused: content/posts/from-git.md" in bad.stderr
    assert "invalid YAML" in bad.stderr

    _git(clone, "reset", "-q", "--hard", "HEAD~1")
    main = _git(clone, "push", "origin", "HEAD:refs/heads/main", email=email)
    assert "quire: build queued" in main.stderr, main.stderr
    assert "quire: still building" in main.stderr  # no worker runs during this push
    work()
    assert (bucket / "posts" / "from-git" / "index.html").is_file()


def _sign(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda b: {"X-Hub-Signature-256": "sha256=" + _sign(b)}, id="github"),
        pytest.param(lambda b: {"X-Gitea-Signature": _sign(b)}, id="gitea"),
        pytest.param(lambda b: {"X-Gitlab-Token": SECRET}, id="gitlab"),
    ],
)
def test_signed_webhooks_from_forges_queue_a_build(
    client: Any, content_repo: Any, headers: Any
) -> None:
    body = json.dumps({"ref": "refs/heads/main", "after": content_repo.head()}).encode()
    response = client.post(
        "/api/hooks/push",
        content=body,
        headers={"Content-Type": "application/json", **headers(body)},
    )
    assert response.status_code == 202, response.text
    assert response.json()["build"] == "queued"


def test_unsigned_or_forged_webhooks_are_refused(client: Any, content_repo: Any) -> None:
    body = json.dumps({"ref": "refs/heads/main", "after": content_repo.head()}).encode()
    plain = {"Content-Type": "application/json"}
    assert client.post("/api/hooks/push", content=body, headers=plain).status_code == 401
    forged = {**plain, "X-Hub-Signature-256": "sha256=" + "0" * 64}
    response = client.post("/api/hooks/push", content=body, headers=forged)
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"


def test_a_submission_pushed_is_reviewed_like_any_other(
    client: Any, author: Any, editor: Any, content_repo: Any
) -> None:
    from interactions_api.services.contentrepo import Identity

    sha = content_repo.commit(
        {"content/posts/by-push.md": b"---\ntitle: By push\ndate: 2024-06-01\n---\n\nBody.\n"},
        message="Add by-push",
        author=Identity("A", author.user.email),
        committer=Identity("A", author.user.email),
    )
    # Put it on an inbox branch, not the publishing one.
    content_repo.git("update-ref", "refs/heads/inbox/by-push", sha)
    content_repo.git("update-ref", "refs/heads/main", sha + "~1")
    body = json.dumps({"ref": "refs/heads/inbox/by-push", "after": sha}).encode()
    response = client.post(
        "/api/hooks/push",
        content=body,
        headers={"Content-Type": "application/json", "X-Quire-Signature": "sha256=" + _sign(body)},
    )
    assert response.status_code == 202, response.text
    (sub_id,) = response.json()["submissions"]
    info = detail(editor, {"id": sub_id})
    assert info["submission"]["status"] == "in_review"
    assert info["history"][-1]["detail"] == "pushed to inbox/by-push"


def test_a_bad_push_to_main_shows_the_builders_errors_to_the_pusher(
    served: str,
    author: Any,
    content_repo: Any,
    tmp_path: Path,
    redis: Any,
    worker_env: None,
    bucket: Path,
) -> None:
    install_hook(
        content_repo.git_dir, url=f"{served}/api/hooks/push", secret=SECRET, python=sys.executable
    )
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(content_repo.git_dir), str(clone))
    quire = str(Path(sys.executable).parent / "quire")
    worker = subprocess.Popen(
        [quire, "worker"],
        env={**os.environ, "QUIRE_REDIS_URL": f"unix://{redis.socket_file}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        good = clone / "content" / "posts" / "good.md"
        good.write_text("---\ntitle: Good\ndate: 2024-05-01\n---\n\nFine.\n")
        _git(clone, "add", "-A")
        _git(clone, "commit", "-qm", "Good post")
        pushed = _git(clone, "push", "origin", "HEAD:main", wait=60)
        assert "quire: published" in pushed.stderr, pushed.stderr
        before = snapshot(bucket)

        (clone / "content" / "posts" / "bad.md").write_text("---\ntitle: Bad\n---\n\nNo date.\n")
        _git(clone, "add", "-A")
        _git(clone, "commit", "-qm", "Bad post")
        refused = _git(clone, "push", "origin", "HEAD:main", wait=60)

        assert "quire: the build failed; the live site is unchanged" in refused.stderr
        assert "content/posts/bad.md" in refused.stderr and "`date` is missing" in refused.stderr
        assert snapshot(bucket) == before
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(20)
