"""The composer as a command line in real Chromium: the options as a command is typed, the
card moving on another member's board, and the notice's Undo shown to its author only."""

from playwright.sync_api import expect

from .conftest import browser_login, expect_socket_open, open_room


def cards(page, column: str):
    return page.locator(".column", has=page.get_by_role("heading", name=column)).locator(
        ".card-title"
    )


def test_a_command_moves_the_card_on_every_board_and_its_author_may_undo(new_page, chat_room, app):
    from .helpers import board_of

    board_id = board_of(app, chat_room)
    board, alice, bob = new_page(), new_page(), new_page()
    browser_login(board, "bob")
    board.goto(f"/boards/{board_id}")
    expect_socket_open(board)
    for page, name in ((alice, "alice"), (bob, "bob")):
        browser_login(page, name)
        open_room(page, chat_room)

    composer = alice.locator("#composer-input")
    composer.fill("/new Ship it")
    composer.press("Enter")
    expect(composer).to_have_value("")
    expect(cards(board, "To Do")).to_have_text(["Ship it"])  # live on bob's board

    composer.press_sequentially("/mo")
    option = alice.get_by_role("option", name="/move 42 done")
    expect(option).to_be_visible()
    expect(composer).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    composer.press("Enter")  # picks the command rather than sending
    expect(composer).to_have_value("/move ")
    composer.press_sequentially("1 d")
    expect(alice.get_by_role("option", name="Done")).to_be_visible()
    composer.press("Tab")
    expect(composer).to_have_value("/move 1 Done")
    composer.press("Enter")
    expect(composer).to_have_value("")

    expect(cards(board, "Done")).to_have_text(["Ship it"])
    expect(cards(board, "To Do")).to_have_count(0)
    for page in (alice, bob):
        notice = page.locator(".message.notice").last
        # As it reads: in a notice the chip shows only "#1" (the text says the rest).
        expect(notice).to_contain_text("alice moved #1 Ship it to Done", use_inner_text=True)
    expect(alice.locator(".message.notice").last.get_by_role("button", name="Undo")).to_be_visible()
    expect(bob.locator(".message.notice").last.get_by_role("button", name="Undo")).to_be_hidden()

    # A command that cannot be applied: said to alice alone, her text kept.
    composer.fill("/move 1 nowhere")
    composer.press("Enter")
    expect(alice.locator("#socket-error")).to_contain_text("This board has no column")
    expect(composer).to_have_value("/move 1 nowhere")
    expect(bob.locator("#socket-error")).to_be_empty()

    alice.locator(".message.notice").last.get_by_role("button", name="Undo").click()
    expect(cards(board, "To Do")).to_have_text(["Ship it"])
    for page in (alice, bob):  # no reload: the "undid" notice is the room's change
        expect(page.locator(".message.notice").last).to_contain_text(
            "alice undid: moved #1 Ship it to Done", use_inner_text=True
        )
    moved = alice.locator(".message.notice", has_text="Ship it to Done", has_not_text="undid")
    expect(moved.get_by_role("button", name="Undo")).to_have_count(0)  # once is all, live
