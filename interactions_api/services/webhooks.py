"""The git way in: verified push events, the post-receive hook, `inbox/<name>` branches.

A push to the publishing branch owes a build (through the outbox, like an approval). A
push to `inbox/<name>` turns the Markdown it changes into a submission for review: its
text becomes a new revision and the submission goes to the editors' queue, so the editor
sees the same preview and diff as for the web form.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from builder.frontmatter import FrontMatterError, split_front_matter
from interactions_api.config import Settings
from interactions_api.errors import Forbidden, Unauthorized, Unprocessable
from interactions_api.models.inbox import PostFields, Status, Submission
from interactions_api.models.user import Role, User
from interactions_api.services import inbox, review
from interactions_api.services.contentrepo import ContentRepo, ContentRepoError
from interactions_api.services.postfile import POSTS_DIR

INBOX_PREFIX = "refs/heads/inbox/"


@dataclass(frozen=True, slots=True)
class Push:
    """What a push event says: the branch and the commit it now points at."""

    ref: str
    after: str


def verify_signature(settings: Settings, headers: Mapping[str, str], body: bytes) -> None:
    """Check the sender's proof: GitHub/Gitea/Quire HMAC-SHA256, or GitLab's token."""
    secret = settings.webhook_secret.encode()
    if not secret:
        raise Forbidden("Webhooks are off: set QUIRE_WEBHOOK_SECRET.", code="webhooks_off")
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    for name in ("x-hub-signature-256", "x-quire-signature", "x-gitea-signature"):
        sent = headers.get(name)
        if sent is not None:
            if hmac.compare_digest(sent.removeprefix("sha256=").strip(), expected):
                return
            raise Unauthorized(f"The {name} header does not match.", code="bad_signature")
    token = headers.get("x-gitlab-token")
    if token is not None and hmac.compare_digest(token.encode(), secret):
        return
    raise Unauthorized(
        "Sign the request (X-Hub-Signature-256, X-Gitea-Signature, X-Quire-Signature or "
        "X-Gitlab-Token).",
        code="bad_signature",
    )


def parse_push(payload: Any) -> Push:
    """The ref and new commit of a push event (the same keys on GitHub, GitLab and Gitea)."""
    if not isinstance(payload, dict):
        raise Unprocessable("A push event is a JSON object.", code="invalid_event")
    ref, after = payload.get("ref"), payload.get("after")
    if not isinstance(ref, str) or not isinstance(after, str) or len(after) not in (40, 64):
        raise Unprocessable("A push event needs `ref` and `after`.", code="invalid_event")
    return Push(ref, after)


def _changed_posts(repo: ContentRepo, base: str | None, head: str) -> list[str]:
    args = (
        ["diff", "--name-only", "--diff-filter=AM", base, head]
        if base
        else ["ls-tree", "-r", "--name-only", head]
    )
    out = repo.git(*args, "--", f"{POSTS_DIR}/").decode()
    return [p for p in out.splitlines() if p.endswith(".md")]


def _fields(path: str, text: str) -> PostFields:
    try:
        fm = split_front_matter(text)
    except FrontMatterError as exc:
        where = f"{path}:{exc.line}" if exc.line else path
        raise Unprocessable(f"{where}: {exc.message}. {exc.hint}", code="invalid_post") from None
    data = fm.data
    raw_cover = data.get("cover")
    cover: dict[str, Any] = raw_cover if isinstance(raw_cover, dict) else {}
    tags = data.get("tags") or []
    return PostFields(
        title=str(data.get("title") or ""),
        body=fm.body.lstrip("\n"),
        tags=tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])),
        summary=str(data.get("summary") or ""),
        cover_src=str(cover.get("src") or ""),
        cover_alt=str(cover.get("alt") or ""),
    )


def submit_branch(db: Session, repo: ContentRepo, push: Push) -> list[Submission]:
    """Create or revise (and submit) a submission for each post an inbox branch changes."""
    try:
        base = repo.git("merge-base", repo.ref, push.after).decode().strip()
    except ContentRepoError:
        base = None
    try:
        email = repo.git("log", "-1", "--format=%ae", push.after).decode().strip().lower()
    except ContentRepoError as exc:
        raise Unprocessable(f"{push.after} is not in the content repository.") from exc
    author = db.exec(select(User).where(User.email == email)).first()
    if author is None or author.role < Role.author:
        raise Forbidden(
            f"The commit's author <{email}> has no author account here; commit with the "
            "address you sign in with.",
            code="unknown_author",
        )
    subs: list[Submission] = []
    for path in _changed_posts(repo, base, push.after):
        text = (repo.read(path, push.after) or b"").decode("utf-8", "replace")
        fields = _fields(path, text)
        slug = Path(path).stem
        sub = db.exec(select(Submission).where(Submission.slug == slug)).first()
        if sub is None:
            sub = inbox.create_submission(db, author, fields, slug=slug)
        else:
            if Status(sub.status) == Status.in_review and sub.author_id == author.id:
                review.transition(db, sub, author, "withdraw", version=sub.version)
            inbox.save_revision(db, sub, author, fields, version=sub.version)
        review.transition(
            db,
            sub,
            author,
            "submit",
            version=sub.version,
            note=f"pushed to {push.ref.removeprefix('refs/heads/')}",
        )
        subs.append(sub)
    return subs


HOOK = """#!{python}
# Installed by `quire hooks install`: tells the Quire service about every push.
import hashlib, hmac, json, os, sys, time, urllib.request

URL = {url!r}
SECRET = {secret!r}.encode()
STATUS_URL = URL.rsplit("/", 1)[0] + "/status"
WAIT = float(os.environ.get("QUIRE_HOOK_WAIT", "120"))


def post(url, payload):
    body = json.dumps(payload).encode()
    sig = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    return urllib.request.Request(url, data=body, method="POST", headers={{
        "Content-Type": "application/json", "X-Quire-Signature": sig}})


def wait(entry):
    # Show the pusher the builder's verdict: the site is only changed if it built.
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with urllib.request.urlopen(post(STATUS_URL, {{"entry": entry}}),
                                    timeout=30) as response:
            state = json.load(response)
        if state["done"]:
            if state["outcome"] == "published":
                print("quire: published")
                return 0
            print("quire: the build failed; the live site is unchanged:", file=sys.stderr)
            for error in state["errors"]:
                print("quire:   " + error, file=sys.stderr)
            return 1
        time.sleep(1)
    print("quire: still building; see the inbox for the result", file=sys.stderr)
    return 0


status = 0
for line in sys.stdin:
    before, after, ref = line.split()
    if after == "0" * len(after):
        continue  # a deleted branch
    request = post(URL, {{"ref": ref, "before": before, "after": after}})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.load(response)
        print("quire: " + answer.get("message", "ok"))
        if answer.get("entry"):
            status = max(status, wait(answer["entry"]))
    except urllib.error.HTTPError as exc:
        answer = json.load(exc)
        print("quire: refused: " + answer.get("message", str(exc)), file=sys.stderr)
        status = 1
    except OSError as exc:
        print("quire: the service is unreachable (" + str(exc) + "); push again later",
              file=sys.stderr)
        status = 1
sys.exit(status)
"""


def install_hook(repo_dir: Path, *, url: str, secret: str, python: str) -> Path:
    """Write the post-receive hook into a bare repository; returns its path."""
    if not (repo_dir / "HEAD").is_file():
        raise ContentRepoError(f"{repo_dir} is not a git repository")
    if not secret:
        raise ContentRepoError("set QUIRE_WEBHOOK_SECRET first: the hook signs its requests")
    hook = repo_dir / "hooks" / "post-receive"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(HOOK.format(python=python, url=url, secret=secret), encoding="utf-8")
    hook.chmod(0o700)  # it holds the secret
    return hook
