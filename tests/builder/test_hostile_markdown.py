"""Markdown that used to crash or stall the builder (issue 18, items 8 and 9).

Each case once raised a traceback or ran for seconds to hours; the timeouts turn a
regression into a failure instead of a stuck suite.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from builder_testlib import MakeSite, options, post

from builder.markdown import render_markdown
from builder.markdown.errors import MarkdownError
from builder.markdown.highlight import FenceInfo, highlight_code
from builder.pipeline import build_site

QUIRE = [sys.executable, "-c", "from builder.cli import main; main()"]
# the admonition plugin reads past the end of this text (an upstream bug): IndexError
CRASHER = "> a|b\n> -|-\n>"
# a quote then backslashes: the Factor lexer's string regex backtracks exponentially
# (about twice as long for each two more); Factor goes through builder.markdown.fast.lexer's loop
FACTOR_BOMB = '"' + "\\" * 60


@pytest.mark.timeout(60)
def test_a_markdown_library_crash_is_a_build_error_naming_file_and_line(
    make_site: MakeSite,
) -> None:
    site = make_site({"content/posts/fine.md": post()})
    text = "---\ntitle: Crash\ndate: 2024-02-01\n---\n\nIntro.\n\n" + CRASHER  # no line end
    (site / "content/posts/crash.md").write_text(text, encoding="utf-8")

    built = subprocess.run(
        [*QUIRE, "build", str(site)], capture_output=True, text=True, timeout=60, check=False
    )

    output = built.stdout + built.stderr
    assert built.returncode == 1, output
    assert "Traceback" not in output and "IndexError: string" not in output.splitlines()[-1]
    assert (
        "error: content/posts/crash.md:10: Markdown could not be rendered "
        "(IndexError: string index out of range in mdit_py_plugins.admon.index)"
    ) in output
    assert "Build failed: 1 error" in output


def test_render_markdown_raises_one_error_type_with_the_line() -> None:
    with pytest.raises(MarkdownError) as raised:
        render_markdown("# Title\n\n" + CRASHER)
    assert raised.value.line == 5
    assert "IndexError" in raised.value.message and raised.value.hint


@pytest.mark.timeout(60)
def test_heading_ids_are_linear_in_duplicate_headings() -> None:
    # quadratic before: 8,000 identical headings took 10 s, 100,000 empty ones over 30 s;
    # now duplicates cost what distinct headings cost (CPU time, whatever the load)
    distinct = _cpu("".join(f"## Notes {n}\n\n" for n in range(10_000)))
    assert _cpu("## Notes\n\n" * 10_000) < 3 * distinct
    assert _cpu("#\n" * 10_000) < 3 * distinct
    notes = render_markdown("## Notes\n\n" * 10_000).headings
    assert [h.anchor for h in notes[:3]] == ["notes", "notes-1", "notes-2"]
    assert notes[-1].anchor == "notes-9999"
    assert render_markdown("#\n" * 10_000).headings[-1].anchor == "section-9999"


def test_numbered_ids_skip_ids_taken_by_other_headings() -> None:
    text = "# a-1\n# a\n# a\n# a 2\n# a\n# a-3\n"
    anchors = [h.anchor for h in render_markdown(text).headings]
    assert anchors == ["a-1", "a", "a-2", "a-2-1", "a-3", "a-3-1"]


@pytest.mark.timeout(60)
def test_a_runaway_code_block_is_shown_plain_with_a_warning(make_site: MakeSite) -> None:
    body = f"Before.\n\n```factor\n{FACTOR_BOMB}\n```\n\nAfter.\n"
    site = make_site({"content/posts/slow.md": post(title="Slow", body=body)})

    result = build_site(site, options())

    assert result.ok, [str(d) for d in result.diagnostics]
    warnings = [str(d) for d in result.diagnostics if d.severity == "warning"]
    assert warnings == [
        "warning: content/posts/slow.md:8: highlighting this `factor` code block took over "
        "1 s of CPU time (the lexer backtracks on something in it), so it is shown as plain "
        "text"
    ]
    page = (result.output_dir / "posts/slow/index.html").read_text(encoding="utf-8")
    assert f'<pre><code class="language-factor">{FACTOR_BOMB}\n</code></pre>' in page
    assert "<p>After.</p>" in page


@pytest.mark.timeout(60)
def test_the_budget_holds_for_lexers_pygments_runs_itself() -> None:
    # Maple is an ExtendedRegexLexer (not sped up); line numbers go through HtmlFormatter
    html, warning = highlight_code('"' + "\\" * 60, FenceInfo("maple", linenos=True))
    assert warning is not None and "`maple` code block took over 1 s" in warning
    assert html.startswith('<div class="highlight"><pre><code class="language-maple">"\\\\')


@pytest.mark.timeout(60)
def test_the_budget_holds_in_a_rebuild_thread() -> None:
    # the preview server renders in a thread, where no timer signal reaches: the tokens
    # are counted there. Spaces make the systemd lexer cubic (a minute for these).
    results: list[tuple[str, str | None]] = []
    code = " " * 2000 + "x"
    worker = threading.Thread(
        target=lambda: results.append(highlight_code(code, FenceInfo("systemd"))), daemon=True
    )
    worker.start()
    worker.join(timeout=50)
    assert results, "still highlighting"
    assert results[0][1] is not None and "`systemd` code block took over" in results[0][1]


def test_normal_code_is_highlighted_as_before() -> None:
    html, warning = highlight_code("def f():\n    return 1\n", FenceInfo("python"))
    assert warning is None and '<span class="k">def</span>' in html


def _cpu(text: str) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        render_markdown(text)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.timeout(60)
def test_bodies_of_brackets_cost_about_what_prose_costs() -> None:
    # 100 KB of ordinary prose with links, then the shapes that made link labels expensive
    # (each `[` re-read the ~20 tokens after it: 11-15 times the prose, seconds per body)
    line = "Some *emphasis*, `code` and a [link](/posts/x/) to [another][ref] page. "
    prose = (line * 1500)[:100_000] + "\n\n[ref]: /y\n"
    reference = _cpu(prose)
    for body in ("[" * 100_000, "[" * 100_000 + "]", "![" * 50_000, "^[" * 50_000):
        assert _cpu(body) < 4 * reference, body[:4]


@pytest.mark.timeout(60)
def test_a_long_task_list_costs_what_a_long_list_costs() -> None:
    # the task list plugin looked back through every item for the list of each: 5,000
    # items took seconds, 25,000 (200 KB) minutes
    tasks = _cpu("- [ ] a\n- [x] b\n" * 2_500)
    assert tasks < 3 * _cpu("- a b c\n- d e f\n" * 2_500)
    html = render_markdown("- [ ] a\n  - [x] b\n\n1. [X] c\n" * 2).html
    assert html.count('<ul class="contains-task-list">') == 4
    assert html.count('<ol class="contains-task-list">') == 2
    assert html.count('checked="checked"') == 4


def test_many_links_in_one_document_all_stay_links() -> None:
    html = render_markdown("See [a](/x) and [b][r]. " * 5_000 + "\n\n[r]: /y\n").html
    assert html.count('<a href="/x">a</a>') == 5_000
    assert html.count('<a href="/y">b</a>') == 5_000
