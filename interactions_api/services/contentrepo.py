"""The content repository: a bare git repository whose publishing branch is the site.

Commits are made with git's plumbing (a temporary index, `commit-tree`, then `update-ref`
with the expected old value), so no working tree is needed, the author and committer are
set explicitly per commit, and two writers can never silently overwrite each other's
commit: the loser re-reads the branch and tries again.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from interactions_api.config import Settings

ZERO_SHA = "0" * 40
_SAFE_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
WRITABLE_PREFIXES = ("content/posts/", "static/images/inbox/", "static/images/authors/")
WRITABLE_FILES = frozenset({"authors.toml"})  # the inbox's writers get their byline


class ContentRepoError(RuntimeError):
    """The content repository is missing, unusable, or a git command failed."""


@dataclass(frozen=True, slots=True)
class Identity:
    """A git author or committer."""

    name: str
    email: str

    def env(self, role: str) -> dict[str, str]:
        """GIT_AUTHOR_* or GIT_COMMITTER_* variables for this identity."""
        # git refuses names with <, > or newlines; they cannot come from a form anyway.
        name = re.sub(r"[<>\n\r\x00]", "", self.name).strip() or "Quire user"
        email = re.sub(r"[<>\s\x00]", "", self.email) or "nobody@quire.invalid"
        return {f"GIT_{role}_NAME": name, f"GIT_{role}_EMAIL": email}


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """One commit of the content repository, as shown in a revision history."""

    sha: str
    author: str
    author_email: str
    committer: str
    committer_email: str
    date: str
    subject: str


QUIRE_IDENTITY = Identity("Quire", "quire@quire.invalid")


def safe_repo_path(path: str) -> str:
    """`path` if it is a plain relative path inside a folder the inbox may write, else raise."""
    pure = PurePosixPath(path)
    if (
        not _SAFE_PATH.match(path)
        or pure.is_absolute()
        or any(part in {"..", "."} for part in pure.parts)
        or not (path.startswith(WRITABLE_PREFIXES) or path in WRITABLE_FILES)
    ):
        raise ContentRepoError(f"refusing to write {path!r}: not a safe content path")
    return path


class ContentRepo:
    """A bare git repository and the branch that is published."""

    def __init__(self, git_dir: Path, branch: str = "main") -> None:
        self.git_dir = git_dir
        self.branch = branch
        self.ref = f"refs/heads/{branch}"

    def git(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        stdin: bytes | None = None,
    ) -> bytes:
        """Run one git command on this repository; raise ContentRepoError on failure."""
        full_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.git_dir),  # never the service user's ~/.gitconfig
            "GIT_CONFIG_NOSYSTEM": "1",
            "LC_ALL": "C",
            **(env or {}),
        }
        proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["git", "--git-dir", str(self.git_dir), *args],  # noqa: S607
            input=stdin,
            capture_output=True,
            env=full_env,
            check=False,
            timeout=120,
        )
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip()
            raise ContentRepoError(f"git {args[0]} failed in {self.git_dir}: {message}")
        return proc.stdout

    def head(self) -> str | None:
        """The commit the publishing branch points at, or None for an empty repository."""
        try:
            out = self.git("rev-parse", "--verify", "-q", f"{self.ref}^{{commit}}")
        except ContentRepoError:
            return None
        return out.decode().strip() or None

    def read(self, path: str, rev: str | None = None) -> bytes | None:
        """A file's bytes at `rev` (default: the branch head), or None when it is absent."""
        rev = rev or self.head()
        if rev is None:
            return None
        try:
            return self.git("cat-file", "blob", f"{rev}:{path}")
        except ContentRepoError:
            return None

    def commit(
        self,
        changes: Mapping[str, bytes | None],
        *,
        message: str,
        author: Identity,
        committer: Identity,
        check_paths: bool = True,
    ) -> str | None:
        """Commit file changes (None deletes) onto the branch; None when nothing changed."""
        for path in changes:
            if check_paths:
                safe_repo_path(path)
        for _attempt in range(10):
            parent = self.head()
            with tempfile.TemporaryDirectory(prefix="quire-index-") as tmp:
                index_env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
                if parent:
                    self.git("read-tree", parent, env=index_env)
                for path, data in sorted(changes.items()):
                    if data is None:
                        # mode 0 removes the entry; --force-remove would want a work tree
                        line = f"0 {ZERO_SHA}\t{path}\n".encode()
                        self.git("update-index", "--index-info", env=index_env, stdin=line)
                        continue
                    blob = self.git("hash-object", "-w", "--stdin", stdin=data).decode().strip()
                    self.git(
                        "update-index",
                        "--add",
                        "--cacheinfo",
                        f"100644,{blob},{path}",
                        env=index_env,
                    )
                tree = self.git("write-tree", env=index_env).decode().strip()
            if parent and self.git("rev-parse", f"{parent}^{{tree}}").decode().strip() == tree:
                return None
            env = {**author.env("AUTHOR"), **committer.env("COMMITTER")}
            args = ["commit-tree", tree, "-m", message]
            if parent:
                args += ["-p", parent]
            sha = self.git(*args, env=env).decode().strip()
            try:
                # Compare-and-swap: fails if someone moved the branch since we read it.
                self.git("update-ref", self.ref, sha, parent or ZERO_SHA)
            except ContentRepoError:
                continue
            return sha
        raise ContentRepoError(f"{self.ref} in {self.git_dir} keeps moving; try again")

    def checkout(self, work_dir: Path, index_file: Path, rev: str | None = None) -> str:
        """Make `work_dir` exactly the tree of `rev` (default: the head); returns the commit."""
        rev = rev or self.head()
        if rev is None:
            raise ContentRepoError(f"{self.git_dir} has no commits on {self.branch}")
        work_dir.mkdir(parents=True, exist_ok=True)
        env = {"GIT_INDEX_FILE": str(index_file), "GIT_WORK_TREE": str(work_dir)}
        # --reset -u: files of the previous checkout that are gone are removed too.
        self.git("read-tree", "--reset", "-u", rev, env=env)
        return rev

    def log(self, path: str | None = None, *, limit: int = 50) -> list[CommitInfo]:
        """Commits of the branch (touching `path`), newest first."""
        if self.head() is None:
            return []
        fmt = "%H%x00%an%x00%ae%x00%cn%x00%ce%x00%cI%x00%s"
        args = ["log", f"--max-count={limit}", f"--format={fmt}", self.ref]
        if path:
            args += ["--", path]
        out = self.git(*args).decode("utf-8", "replace")
        return [CommitInfo(*line.split("\x00")) for line in out.splitlines() if line]


def repo_path(settings: Settings) -> Path:
    """Where the content repository is."""
    return settings.content_repo or settings.data_dir / "content.git"


def open_repo(settings: Settings) -> ContentRepo:
    """The configured content repository; in development it is created on first use."""
    path = repo_path(settings)
    repo = ContentRepo(path, settings.content_branch)
    if (path / "HEAD").is_file():
        return repo
    if settings.content_repo is not None:
        raise ContentRepoError(
            f"QUIRE_CONTENT_REPO={path} is not a git repository; create it with "
            f"`git init --bare {path}` and push your site to its {settings.content_branch} branch"
        )
    create_repo(path, settings.content_branch)
    return repo


def create_repo(path: Path, branch: str, *, seed: bool = True) -> ContentRepo:
    """Create a bare repository, seeded with the starter site, and return it."""
    from builder.cli.scaffold import new_site  # the starter site the builder ships

    path.mkdir(parents=True, exist_ok=True)
    repo = ContentRepo(path, branch)
    repo.git("init", "--quiet", "--bare", f"--initial-branch={branch}")
    if seed:
        with tempfile.TemporaryDirectory(prefix="quire-seed-") as tmp:
            site = new_site(Path(tmp) / "site", title="Quire Blog")
            files = {
                p.relative_to(site).as_posix(): p.read_bytes()
                for p in sorted(site.rglob("*"))
                if p.is_file()
            }
        repo.commit(
            files,
            message="Start the site from Quire's starter",
            author=QUIRE_IDENTITY,
            committer=QUIRE_IDENTITY,
            check_paths=False,
        )
    return repo
