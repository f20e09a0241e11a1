"""What the browser tests share: logging in and out through the forms, and full-page screenshots."""
from __future__ import annotations

from pathlib import Path

from web.demo import DEMO_PASSWORD


def save_shot(folder: Path, page, name: str) -> None:
    """A full-page screenshot of the page as <folder>/<name>.png."""
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def log_in(page, server, phone: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(server.url + "/login")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_selector("text=登录成功")


def log_out(page) -> None:
    page.click("button:has-text('退出')")
    page.wait_for_selector("text=您已退出登录")
