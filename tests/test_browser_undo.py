"""Undo in a real browser (headless Chromium): the mover's Undo of a card moved from the
keyboard, and every screen converging on the card back in its place."""

from playwright.sync_api import expect

from .conftest import browser_login, expect_settled, expect_socket_open


def test_undo_of_a_keyboard_move_converges_on_both_screens(new_page, board_with_task):
    board_id, task_id, (todo, doing, _) = board_with_task
    alice, bob = new_page(), new_page()
    for page, name in ((alice, "alice"), (bob, "bob")):
        browser_login(page, name)
        page.goto(f"/boards/{board_id}")
        expect_socket_open(page)
        expect(page.locator(f"#column-{todo}-cards .card-title")).to_have_text(["Ship it"])
    expect_settled(alice)

    alice.get_by_role("link", name="Ship it").focus()
    alice.keyboard.press("Alt+Shift+ArrowRight")
    for page in (alice, bob):
        expect(page.locator(f"#column-{doing}-cards .card-title")).to_have_text(["Ship it"])
    # Only the mover is offered the Undo (it is not in the diff every viewer gets).
    undo = alice.get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    expect(alice.locator(".undo-offer")).to_contain_text("alice moved “Ship it” from To Do to")
    expect(bob.get_by_role("button", name="Undo")).to_have_count(0)

    expect_settled(alice)
    offer = alice.locator(".undo-offer").get_attribute("id")
    undo.click()
    for page in (alice, bob):
        expect(page.locator(f"#column-{todo}-cards .card-title")).to_have_text(["Ship it"])
        expect(page.locator(f"#column-{doing}-cards .card-title")).to_have_count(0)
    # Answered in place (htmx), not by a new page: the offer says it is done.
    expect(alice.locator(f"#{offer}")).to_have_text("Undone.")
    # The history on the task page reads both moves, newest first.
    bob.goto(f"/tasks/{task_id}")
    expect(bob.locator(".history .events li")).to_have_count(2)
    expect(bob.locator(".history .events li").first).to_contain_text("alice moved this from")


def test_an_archive_and_its_undo_from_the_page_converge(new_page, board_with_task):
    """Archive through the confirmation page (as without JavaScript): the card leaves both
    boards; the Undo the board page then offers brings it back on both; the Archived page
    restores what stays archived."""
    board_id, task_id, (todo, _, _) = board_with_task
    alice, bob = new_page(), new_page()
    for page, name in ((alice, "alice"), (bob, "bob")):
        browser_login(page, name)
        page.goto(f"/boards/{board_id}")
        expect_socket_open(page)
    alice.goto(f"/tasks/{task_id}")
    alice.get_by_role("link", name="Archive").click()
    alice.get_by_role("button", name="Archive task").click()
    expect(alice.locator(".flash")).to_contain_text("Task “Ship it” archived.")
    for page in (alice, bob):
        expect(page.locator(f"#column-{todo}-cards .card")).to_have_count(0)
    expect_socket_open(alice)
    alice.get_by_role("button", name="Undo").click()
    for page in (alice, bob):
        expect(page.locator(f"#column-{todo}-cards .card-title")).to_have_text(["Ship it"])

    bob.goto(f"/tasks/{task_id}")  # bob archives it; alice restores it from Archived
    bob.get_by_role("link", name="Archive").click()
    bob.get_by_role("button", name="Archive task").click()
    expect(alice.locator(f"#column-{todo}-cards .card")).to_have_count(0)
    alice.goto(f"/boards/{board_id}/archived")
    alice.get_by_role("button", name="Restore the task Ship it").click()
    for page in (alice, bob):
        expect(page.locator(f"#column-{todo}-cards .card-title")).to_have_text(["Ship it"])
