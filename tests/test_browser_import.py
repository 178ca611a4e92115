"""A real browser and a real RQ worker: an upload on the boards page, its progress shown live on
the import's page (htmx asks for it every second), then the imported board."""

import json

from playwright.sync_api import expect

from .conftest import browser_login

CARDS = 2000  # enough that the worker is still at it when the status page first shows


def test_an_import_shows_its_progress_live_then_opens_the_board(
    new_page, make_user, live_worker, tmp_path
):
    make_user("alice")
    export = {
        "format": "taskflow-board",
        "version": 1,
        "board": {"name": "Big move", "description": ""},
        "members": ["alice"],
        "columns": [
            {
                "name": name,
                "tasks": [
                    {
                        "title": f"{name} {i}",
                        "comments": [
                            {
                                "author_name": "Ann",
                                "content": "hi",
                                "created_at": "2024-05-03T10:00:00Z",
                            }
                        ],
                    }
                    for i in range(CARDS // 2)
                ],
            }  # fmt: skip
            for name in ("Backlog", "Doing")
        ],
    }
    upload = tmp_path / "big-move.json"
    upload.write_text(json.dumps(export))
    page = new_page()
    browser_login(page, "alice")
    page.get_by_label("Export file (.json)").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()

    status = page.locator("#import-status")
    expect(status).to_contain_text(f"of {CARDS} cards")  # pending: the worker's progress
    expect(status).to_contain_text(f"Imported “big-move.json”: {CARDS} cards", timeout=30_000)
    page.get_by_role("link", name="Open the board").click()
    expect(page.get_by_role("heading", name="Big move")).to_be_visible()
    expect(page.locator(".column h2").first).to_contain_text("Backlog")
