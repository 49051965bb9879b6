"""Screenshots of every Studio screen at 1280 and 375 px, light and dark (not a test).

    .venv/bin/python scripts/studio_screenshots.py [--out docs/screenshots] [--port 8765]

Starts `quire run` on embedded defaults in a fresh folder (as a newcomer would), signs in
as the admin it prints (an admin sees every screen), then opens the sign-in page and each
screen in Studio's nav with Debian's Chromium and saves `<screen>-<width>-<scheme>.png`.
The README shows a few of them; run this after changing a screen and look at the result.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interactions_api.studio.nav import SCREENS  # noqa: E402 - after the path is set

CHROMIUM = "/usr/bin/chromium"
SIZES = ((1280, 900), (375, 812))
SCHEMES = ("light", "dark")


def start_platform(folder: Path, port: int) -> tuple[subprocess.Popen[str], str, str]:
    """`quire run` in `folder`; returns the process and the admin's email and password."""
    quire = Path(sys.executable).parent / "quire"
    process = subprocess.Popen(  # noqa: S603 - our own command
        [str(quire), "run", "--dir", str(folder), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"admin\s+(\S+)\s+password: (\S+)", line)
        if found:
            return process, found.group(1), found.group(2)
    raise SystemExit(f"quire run stopped before printing the admin (exit {process.wait()})")


def wait_ready(origin: str) -> None:
    for _ in range(120):
        try:
            if httpx.get(f"{origin}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{origin} did not answer /api/health")


def shoot(page: Page, origin: str, path: str, name: str, out: Path) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
            page.goto(f"{origin}{path}", wait_until="networkidle")
            page.screenshot(path=str(out / f"{name}-{width}-{scheme}.png"), full_page=True)


def sign_in(page: Page, origin: str, email: str, password: str) -> None:
    page.goto(f"{origin}/studio/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.s-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/studio/.*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    origin = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory() as folder:
        process, email, password = start_platform(Path(folder), args.port)
        try:
            wait_ready(origin)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM)
                page = browser.new_page()
                shoot(page, origin, "/studio/signin", "signin", args.out)
                sign_in(page, origin, email, password)
                shoot(page, origin, "/studio/", "home", args.out)
                for screen in SCREENS:
                    shoot(page, origin, screen.href, screen.key, args.out)
                browser.close()
        finally:
            process.terminate()
            process.wait(30)
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
