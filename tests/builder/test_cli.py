"""`quire new` and `quire build`, run as a user runs them (a subprocess, and typer's runner)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from builder_testlib import tree_digest
from typer.testing import CliRunner

from builder.cli import app

QUIRE = [sys.executable, "-c", "from builder.cli import main; main()"]


def quire(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*QUIRE, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_new_site_then_new_post_then_build(tmp_path: Path) -> None:
    made = quire("new", "site", "blog", "--title", 'My "Quoted" Blog', cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert 'title = "My \\"Quoted\\" Blog"' in (tmp_path / "blog/quire.toml").read_text()

    created = quire("new", "post", "Hello, Wörld: part 2", "--site", "blog", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    path = tmp_path / f"blog/content/posts/{date.today().isoformat()}-hello-wörld-part-2.md"
    text = path.read_text()
    assert 'title: "Hello, Wörld: part 2"' in text
    assert f"date: {date.today().isoformat()}" in text
    assert "id: hello-world-part-2-" in text  # ids are ASCII: they travel through the API

    built = quire("build", "blog", "--drafts", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    # not a terminal: exactly one summary line, no progress bar
    assert built.stdout.count("\n") == 1
    assert (
        built.stdout.startswith("Built ")
        and "pages in" in built.stdout
        and "-> blog/public" in built.stdout
    )
    assert (tmp_path / "blog/public/posts/hello-wörld-part-2/index.html").is_file()


def test_new_site_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken/file.txt").write_text("x")
    result = quire("new", "site", "taken", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        result.stderr.strip() == "error: taken already exists and is not empty; choose a new folder"
    )


def test_build_errors_are_listed_and_exit_non_zero(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["new", "site", str(tmp_path / "blog")]).exit_code == 0
    site = tmp_path / "blog"
    assert runner.invoke(app, ["build", str(site)]).exit_code == 0
    before = tree_digest(site / "public")
    (site / "content/posts/broken.md").write_text("---\ntitle: Broken\ndate: someday\n---\n")
    (site / "content/posts/typo.md").write_text(
        "---\ntitle: Typo\ndate: 2024-01-01\nsulg: x\n---\n"
    )
    result = quire("build", "blog", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: content/posts/broken.md:3: `date` is not a date: 'someday' "
        "Use YYYY-MM-DD or YYYY-MM-DDTHH:MM, e.g. 2024-01-31.",
        "warning: content/posts/typo.md:4: unknown front matter key `sulg` Did you mean `slug`?",
        "Build failed: 1 error, 1 warning; blog/public was left unchanged.",
    ]
    assert tree_digest(site / "public") == before


def test_build_output_option(tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["new", "site", str(tmp_path / "blog")])
    result = runner.invoke(
        app, ["build", str(tmp_path / "blog"), "--output", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/index.html").is_file()
    assert not (tmp_path / "blog/public").exists()
    # --no-cache: a full build whatever the clock did since the last one (right after a
    # build, the up-to-date check distrusts files changed in the same clock tick, so a
    # second build was a full one on a quiet machine and a no-op on a busy one).
    timed = runner.invoke(
        app,
        ["build", str(tmp_path / "blog"), "-o", str(tmp_path / "out"), "--timings", "--no-cache"],
    )
    assert timed.exit_code == 0
    assert timed.output.splitlines()[-1].startswith("config ")
    assert " render " in timed.output.splitlines()[-1]
    again = runner.invoke(
        app, ["build", str(tmp_path / "blog"), "-o", str(tmp_path / "out"), "--timings"]
    )
    assert again.exit_code == 0
    assert again.output.splitlines()[-1].startswith(("config ", "check "))


def test_a_warning_found_in_many_files_is_counted_not_repeated(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["new", "site", str(tmp_path / "blog")]).exit_code == 0
    posts = tmp_path / "blog" / "content" / "posts"
    for n in range(6):  # a Hugo habit in every post, and one typo of another kind
        (posts / f"p{n}.md").write_text(
            f'---\ntitle: P{n}\ndate: 2024-01-0{n + 1}\nauthor: "A"\n---\n'
        )
    (posts / "p6.md").write_text("---\ntitle: P6\ndate: 2024-01-07\nsulg: x\n---\n")
    (posts / "p7.md").write_text("---\ntitle: P7\ndate: someday\n---\n")
    result = quire("build", "blog", cwd=tmp_path)
    assert result.returncode == 1
    hint = "unknown front matter key `author` Did you mean `authors`?"
    assert result.stderr.splitlines() == [
        f"warning: content/posts/p0.md:4: {hint}",
        f"warning: content/posts/p1.md:4: {hint}",
        f"warning: content/posts/p2.md:4: {hint}",
        f"warning: ...and in 3 more files: {hint}",
        "warning: content/posts/p6.md:4: unknown front matter key `sulg` Did you mean `slug`?",
        "error: content/posts/p7.md:3: `date` is not a date: 'someday' "
        "Use YYYY-MM-DD or YYYY-MM-DDTHH:MM, e.g. 2024-01-31.",
        "Build failed: 1 error, 7 warnings; blog/public was left unchanged.",
    ]
