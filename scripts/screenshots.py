"""The README's screenshots: the demo (`seed-demo`) on a fresh instance, in Chromium, at a
desktop and a phone width, light and dark. Run: `.venv/bin/python scripts/screenshots.py`;
it writes docs/screenshot-*.png."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from taskflow import stack  # noqa: E402

PASSWORD = "screenshots-only password"
SHOTS = [  # (file, viewport, colour scheme, what)
    ("screenshot-desktop-light.png", {"width": 1280, "height": 800}, "light", "board"),
    ("screenshot-desktop-dark.png", {"width": 1280, "height": 800}, "dark", "room"),
    ("screenshot-phone-light.png", {"width": 390, "height": 844}, "light", "room"),
    ("screenshot-phone-dark.png", {"width": 390, "height": 844}, "dark", "board"),
]


def known_passwords(env: dict[str, str]) -> tuple[int, int]:
    """Give the demo's users a password this script knows; returns (board id, room id)."""
    os.environ.update(env)
    from taskflow import create_app
    from taskflow.extensions import db
    from taskflow.models import Board, ChatRoom, User

    app = create_app()
    with app.app_context():
        for name in ("alice", "bob", "carol"):
            User.by_username(name).set_password(PASSWORD)
        db.session.commit()
        board = db.session.scalars(db.select(Board).order_by(Board.id)).first()
        room = db.session.scalars(
            db.select(ChatRoom).where(ChatRoom.board_id == board.id).order_by(ChatRoom.id)
        ).first()
        return board.id, room.id


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    instance = Path(tempfile.mkdtemp(prefix="taskflow-shots-"))
    env = dict(os.environ, TASKFLOW_INSTANCE=str(instance), SECRET_KEY="s" * 40)
    env["REDIS_URL"] = stack.start_redis(instance)
    web = worker = None
    try:
        stack.flask("db", "upgrade", env=env)
        stack.flask("seed-demo", env=env)
        board_id, room_id = known_passwords(env)
        worker = stack.start_worker(env)
        web, url = stack.start_web(env)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                args=["--no-sandbox", "--disable-gpu"],
            )
            for name, viewport, scheme, what in SHOTS:
                phone = viewport["width"] < 600
                context = browser.new_context(
                    base_url=url,
                    viewport=viewport,
                    color_scheme=scheme,
                    is_mobile=phone,
                    has_touch=phone,
                    device_scale_factor=2 if phone else 1,
                )
                page = context.new_page()
                page.goto("/login")
                page.get_by_label("Username").fill("alice")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url("**/boards")
                page.goto(f"/boards/{board_id}" if what == "board" else f"/rooms/{room_id}")
                expect(page.locator("body")).to_have_attribute("data-socket", "open")
                page.screenshot(path=str(ROOT / "docs" / name))
                context.close()
                print("wrote docs/" + name)
            browser.close()
    finally:
        for process in (web, worker):
            if process:
                stack.stop(process)
        stack.stop_redis(instance)


if __name__ == "__main__":
    main()
