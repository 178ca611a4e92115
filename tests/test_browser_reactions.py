"""Reactions, and the composer's keys, between two users in real headless Chromium."""

from playwright.sync_api import expect

from taskflow.extensions import db
from taskflow.models import ChatRoom

from .conftest import browser_login, expect_settled, expect_socket_open, open_room
from .test_browser_chat import alice_and_bob_in


def post_from(page, text: str):
    """Send a message from the page's composer; the page's copy of it, once shown."""
    composer = page.locator("#composer-input")
    composer.fill(text)
    composer.press("Enter")
    message = page.locator(".message", has_text=text)
    expect(message).to_have_count(1)
    expect(composer).to_have_value("")
    return message


def test_a_reaction_toggled_from_the_keyboard_reaches_the_other_page(new_page, chat_room):
    alice, bob = alice_and_bob_in(chat_room, new_page)
    post_from(alice, "Ship it today?")
    message_id = alice.locator(".message").last.get_attribute("data-message-id")
    chip = f"#m{message_id}-thumbsup"

    # bob reaches the message's React link from the keyboard: Enter opens the picker,
    # whose first choice (👍) has the focus; Enter toggles it.
    react = bob.locator(f"#message-{message_id} a.react")
    expect(react).to_have_accessible_name("React")
    react.focus()
    bob.keyboard.press("Enter")
    picker = bob.get_by_role("group", name="Add a reaction")
    expect(picker.get_by_role("button", name="thumbs up")).to_be_focused()
    expect(picker.get_by_role("button", name="thumbs up")).to_have_attribute(
        "aria-pressed", "false"
    )
    bob.keyboard.press("Enter")
    expect(picker).to_have_count(0)

    for page in (alice, bob):  # live on both pages: the count and who reacted
        button = page.locator(chip)
        expect(button).to_have_text("👍 1")
        expect(button).to_have_accessible_name("👍 1 reaction: bob")
    expect(bob.locator(chip)).to_have_attribute("aria-pressed", "true")
    expect(alice.locator(chip)).to_have_attribute("aria-pressed", "false")
    expect(bob.locator(chip)).to_be_focused()  # the re-rendered button keeps the focus

    # alice adds hers with Space on the same button: both names, pressed for both.
    alice.locator(chip).focus()
    alice.keyboard.press(" ")
    for page in (alice, bob):
        expect(page.locator(chip)).to_have_accessible_name("👍 2 reactions: bob, alice")
        expect(page.locator(chip)).to_have_attribute("aria-pressed", "true")
    expect(alice.locator(chip)).to_be_focused()

    # bob presses it again (Enter): his reaction goes, on both pages.
    expect(bob.locator(chip)).to_be_focused()
    bob.keyboard.press("Enter")
    for page in (alice, bob):
        expect(page.locator(chip)).to_have_accessible_name("👍 1 reaction: alice")
    expect(bob.locator(chip)).to_have_attribute("aria-pressed", "false")
    expect(alice.locator(chip)).to_have_attribute("aria-pressed", "true")

    alice.keyboard.press("Enter")  # and alice's: the button goes, focus to the React link
    for page in (alice, bob):
        expect(page.locator(chip)).to_have_count(0)
    expect(alice.locator(f"#message-{message_id} a.react")).to_be_focused()


def test_the_picker_closes_with_escape_and_a_comment_reaction_is_live(new_page, board_with_task):
    _, task_id, _ = board_with_task
    alice, bob = new_page(), new_page()
    for page, name in ((alice, "alice"), (bob, "bob")):
        browser_login(page, name)
        page.goto(f"/tasks/{task_id}")
        expect_socket_open(page)
    alice.locator("#comment-input").fill("Ready for review")
    alice.locator("#comment-input").press("Enter")
    comment = bob.locator(".comment", has_text="Ready for review")
    expect(comment).to_have_count(1)
    comment_id = comment.get_attribute("data-comment-id")
    chip = f"#c{comment_id}-tada"
    expect_settled(bob)

    react = comment.locator("a.react")
    react.focus()
    bob.keyboard.press("Enter")
    picker = bob.get_by_role("group", name="Add a reaction")
    expect(picker).to_be_visible()
    bob.keyboard.press("Escape")  # closed, focus back where it came from
    expect(picker).to_have_count(0)
    expect(react).to_be_focused()

    bob.keyboard.press("Enter")
    for _ in range(3):  # 👍 → ❤️ → 😄 → 🎉
        bob.keyboard.press("ArrowRight")
    expect(picker.get_by_role("button", name="party popper")).to_be_focused()
    bob.keyboard.press("Enter")
    for page in (alice, bob):
        expect(page.locator(chip)).to_have_accessible_name("🎉 1 reaction: bob")
    expect(bob.locator(chip)).to_have_attribute("aria-pressed", "true")
    expect(alice.locator(chip)).to_have_attribute("aria-pressed", "false")
    expect(bob.locator(chip)).to_be_focused()

    bob.keyboard.press("Enter")  # toggled again: gone on both pages
    for page in (alice, bob):
        expect(page.locator(chip)).to_have_count(0)


def test_the_server_s_picker_stays_on_a_phone_s_screen(new_page, chat_room):
    """The picker is the server's (an htmx GET of the reaction route), placed by CSS alone."""
    alice = new_page()
    alice.set_viewport_size({"width": 390, "height": 844})
    browser_login(alice, "alice")
    open_room(alice, chat_room)
    message = post_from(alice, "on a phone")
    message.hover()  # its actions show on hover
    message.locator("a.react").click()
    picker = alice.get_by_role("group", name="Add a reaction")
    expect(picker.get_by_role("button", name="thumbs up")).to_be_focused()
    box = picker.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    alice.keyboard.press("Escape")
    expect(picker).to_have_count(0)


def test_up_in_the_empty_composer_edits_the_last_own_message(new_page, chat_room):
    alice, bob = alice_and_bob_in(chat_room, new_page)
    post_from(alice, "first thought")
    post_from(bob, "bob's reply")
    mine = post_from(alice, "sceond thought")
    message_id = mine.get_attribute("data-message-id")
    composer = alice.locator("#composer-input")
    expect(composer).to_be_focused()

    composer.press("ArrowUp")  # the last message is alice's own, not bob's
    editor = alice.locator(f"#message-{message_id}-input")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("sceond thought")
    editor.fill("second thought")
    editor.press("Enter")
    for page in (alice, bob):
        shown = page.locator(f"#message-{message_id}")
        expect(shown.locator(".message-body")).to_have_text("second thought")
        expect(shown.locator(".edited")).to_have_text("(edited)")
    expect(composer).to_be_focused()

    composer.press("ArrowUp")
    expect(editor).to_be_focused()
    editor.fill("never saved")
    editor.press("Escape")  # cancelled: the message as it was, the composer focused
    expect(editor).to_have_count(0)
    expect(alice.locator(f"#message-{message_id} .message-body")).to_have_text("second thought")
    expect(composer).to_be_focused()
    expect(composer).to_have_value("")

    composer.fill("a draft")
    composer.press("ArrowUp")  # not empty: ↑ is the caret's
    expect(editor).to_have_count(0)
    expect(composer).to_have_value("a draft")


def test_a_reaction_while_editing_keeps_the_editor_open(new_page, chat_room):
    alice, bob = alice_and_bob_in(chat_room, new_page)
    mine = post_from(alice, "edit me")
    message_id = mine.get_attribute("data-message-id")
    alice.locator("#composer-input").press("ArrowUp")
    editor = alice.locator(f"#message-{message_id}-input")
    expect(editor).to_be_focused()

    expect_settled(bob)
    bob.locator(f"#message-{message_id}").hover()  # its actions show on hover
    bob.locator(f"#message-{message_id} a.react").click()
    bob.get_by_role("button", name="eyes").click()
    expect(bob.locator(f"#m{message_id}-eyes")).to_have_accessible_name("👀 1 reaction: bob")
    expect(editor).to_be_focused()  # alice's editor stayed open
    editor.press("Escape")  # and Esc shows the message as it is now, with bob's reaction
    expect(alice.locator(f"#m{message_id}-eyes")).to_have_accessible_name("👀 1 reaction: bob")


def test_alt_down_in_the_composer_switches_rooms(new_page, app, chat_room):
    with app.app_context():
        general = db.session.get(ChatRoom, chat_room)
        random = ChatRoom(general.board, "random", "", general.created_by)
        db.session.add(random)
        db.session.commit()
        random_id = random.id
        db.session.remove()
    alice = new_page()
    browser_login(alice, "alice")
    open_room(alice, chat_room)
    composer = alice.locator("#composer-input")
    expect(composer).to_be_focused()
    composer.press("Alt+ArrowDown")
    alice.wait_for_url(f"**/rooms/{random_id}")
    expect(alice.locator("h1")).to_have_text("#random")
    expect(alice.locator("#composer-input")).to_be_focused()
    alice.locator("#composer-input").press("Alt+ArrowUp")
    alice.wait_for_url(f"**/rooms/{chat_room}")


def test_without_javascript_reaction_buttons_are_plain_forms(new_context, chat_room):
    """The shared message carries no token: its buttons submit the page's #reactions-form
    (form= and formaction=), and its React link opens the picker page."""
    alice = new_context()
    page = alice.new_page()
    browser_login(page, "alice")
    page.goto(f"/rooms/{chat_room}")
    composer = page.locator("#composer-input")
    composer.fill("no script here")
    composer.press("Enter")  # app.js sends it over the socket
    expect(page.locator(".message", has_text="no script here")).to_have_count(1)
    message_id = page.locator(".message").last.get_attribute("data-message-id")
    alice.close()

    context = new_context(java_script_enabled=False)
    try:
        bob = context.new_page()
        browser_login(bob, "bob")
        bob.goto(f"/rooms/{chat_room}")
        bob.locator(f"#message-{message_id}").hover()  # its actions show on hover
        bob.locator(f"#message-{message_id} a.react").click()
        expect(bob.locator("h1")).to_have_text("React to alice’s message")
        bob.get_by_role("button", name="❤️ heart: 0 reactions").click()
        bob.wait_for_url(f"**/rooms/{chat_room}#message-{message_id}")
        chip = bob.locator(f"#m{message_id}-heart")
        expect(chip).to_have_accessible_name("❤️ 1 reaction: bob")
        chip.click()  # the page's form, posted to this message's toggle: taken back
        bob.wait_for_url(f"**/rooms/{chat_room}#message-{message_id}")
        expect(bob.locator(f"#m{message_id}-heart")).to_have_count(0)
    finally:
        context.close()
