"""Checklists in real Chromium (issue 23): two people on one task, its checklist and card
live on both screens; and the same checklist as plain forms with JavaScript off."""

from playwright.sync_api import expect

from .conftest import as_user, browser_login, expect_settled, expect_socket_open


def opened(page, path: str):
    page.goto(path)
    expect_socket_open(page)
    return page


def person(new_page, name: str, task_id: int, board_id: int):
    """`name`'s task page and board page, live, in one browser of their own."""
    task_page = new_page()
    browser_login(task_page, name)
    board_page = task_page.context.new_page()
    return opened(task_page, f"/tasks/{task_id}"), opened(board_page, f"/boards/{board_id}")


def test_a_checked_item_and_a_made_task_show_live_on_the_others_screens(
    new_page, board_with_task, app
):
    board_id, task_id, _ = board_with_task
    alice_http = as_user(app, "alice")
    for text in ("Write the copy", "Check the links"):
        assert alice_http.post(f"/tasks/{task_id}/checklist", {"text": text}).status_code == 302
    alice, alice_board = person(new_page, "alice", task_id, board_id)
    bob, bob_board = person(new_page, "bob", task_id, board_id)
    card = bob_board.locator(f"#task-{task_id}")
    expect(card.locator(".card-checklist [aria-hidden]")).to_have_text("0/2")

    alice.get_by_role("button", name="Write the copy", exact=True).click()
    expect(alice.get_by_role("button", name="Write the copy", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(bob.get_by_role("button", name="Write the copy", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(bob.locator(".checklist-progress")).to_contain_text("1/2")
    expect(card.locator(".card-checklist [aria-hidden]")).to_have_text("1/2")
    expect(card.locator(".card-checklist .visually-hidden")).to_have_text(
        "1 of 2 checklist items done"
    )

    # bob adds one from the keyboard; his box is empty again and keeps the focus
    expect_settled(bob)
    box = bob.get_by_label("New checklist item")
    box.fill("Tell the press")
    box.press("Enter")
    expect(alice.locator(".checklist-item .text")).to_have_text(
        ["Write the copy", "Check the links", "Tell the press"]
    )
    expect(bob.get_by_label("New checklist item")).to_have_value("")
    expect(bob.get_by_label("New checklist item")).to_be_focused()
    expect(alice_board.locator(f"#task-{task_id} .card-checklist [aria-hidden]")).to_have_text(
        "1/3"
    )

    # reordered by bob: alice's list follows
    expect_settled(bob)
    bob.get_by_role("button", name="Move “Tell the press” up").click()
    expect(alice.locator(".checklist-item .text")).to_have_text(
        ["Write the copy", "Tell the press", "Check the links"]
    )

    # bob makes a task of an item: a card on alice's board, the item gone from both lists
    expect_settled(bob)
    bob.get_by_role("button", name="Make task of “Check the links”").click()
    expect(alice_board.locator(".card-title")).to_have_text(["Ship it", "Check the links"])
    expect(bob.locator("#flash")).to_contain_text("“Check the links” is now a task in To Do.")
    expect(alice.locator(".checklist-item .text")).to_have_text(
        ["Write the copy", "Tell the press"]
    )
    expect(bob.locator(".checklist-item .text")).to_have_text(["Write the copy", "Tell the press"])
    expect(alice_board.locator(f"#task-{task_id} .card-checklist [aria-hidden]")).to_have_text(
        "1/2"
    )

    # both tick the same box at one moment: it ends ticked on both screens, counted once
    expect_settled(alice)
    expect_settled(bob)
    alice.get_by_role("button", name="Tell the press", exact=True).dispatch_event("click")
    bob.get_by_role("button", name="Tell the press", exact=True).dispatch_event("click")
    for page in (alice, bob):
        expect(page.get_by_role("button", name="Tell the press", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(page.locator(".checklist-progress")).to_contain_text("2/2")
    expect(card.locator(".card-checklist [aria-hidden]")).to_have_text("2/2")


def test_the_checklist_works_as_plain_forms_without_javascript(no_js, board_with_task):
    board_id, task_id, _ = board_with_task
    page = no_js("bob")  # a member, not the task's creator
    page.goto(f"/tasks/{task_id}")
    for text in ("First", "Second"):
        page.get_by_label("New checklist item").fill(text)
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.locator(".checklist-item .text").last).to_have_text(text)
    expect(page.locator(".checklist-item .text")).to_have_text(["First", "Second"])
    page.get_by_role("button", name="First", exact=True).click()
    expect(page.get_by_role("button", name="First", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(".checklist-progress")).to_contain_text("1/2")
    page.get_by_role("button", name="Move “Second” up").click()
    expect(page.locator(".checklist-item .text")).to_have_text(["Second", "First"])
    page.get_by_role("link", name="Edit “Second”").click()
    page.get_by_label("Text").fill("Second, renamed")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".checklist-item .text")).to_have_text(["Second, renamed", "First"])
    page.get_by_role("button", name="Make task of “Second, renamed”").click()
    expect(page.locator(".flash")).to_contain_text("“Second, renamed” is now a task in To Do.")
    expect(page.locator(".checklist-item .text")).to_have_text(["First"])
    page.get_by_role("button", name="Delete “First”").click()
    expect(page.locator(".checklist-item")).to_have_count(0)
    page.goto(f"/boards/{board_id}")
    expect(page.locator(".card-title")).to_have_text(["Ship it", "Second, renamed"])
