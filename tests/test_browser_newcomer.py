"""Issue 22, rooms as a newcomer finds them, in real Chromium: a refused invitation leaves the
console clean, people pickers name people as member lists do (display name and @username) in
rows that are easy to tick on a phone, and on a phone the Rooms button and the Menu show that
another room has news."""

from playwright.sync_api import expect

from taskflow.extensions import db
from taskflow.models import User

from .a11y import DESKTOP, PHONE, context_for, watch_console
from .conftest import browser_login, expect_socket_open, second_room
from .helpers import board_of
from .test_browser_unread import say

ROW = 40  # px: the least height of a row to tick on a touch screen


def named(app, **names: str) -> None:
    with app.app_context():
        for username, display in names.items():
            User.by_username(username).display_name = display
        db.session.commit()
        db.session.remove()


def after(page, selector: str, prop: str) -> str:
    """A computed property of the element's ::after (read once: wait on a condition first)."""
    return page.evaluate(
        "([s, p]) => getComputedStyle(document.querySelector(s), '::after')[p]", [selector, prop]
    )


# What the browser says of any 4xx answer, whoever made the request: not a fault of the page.
REFUSED = (
    "422: ",
    "console.error: Failed to load resource: the server responded with a status of 422",
)


def test_a_refused_invitation_leaves_the_console_clean(app, chat_room, new_context):
    """The panel comes back with the error (422) and htmx settles it: it copied each old
    element's `style` attribute onto its new twin (htmx's attributesToSettle), which the CSP
    refuses ("inline style"). Browsers and their extensions (autofill, password managers)
    put styles on form fields; the CSSOM does it here, as they do."""
    for viewport, scheme in ((DESKTOP, "light"), (PHONE, "dark")):
        page = context_for(new_context, viewport, scheme).new_page()
        browser_login(page, "alice")
        page.goto(f"/boards/{board_of(app, chat_room)}/members")
        expect_socket_open(page)
        seen = watch_console(page)
        styled = page.evaluate(
            """() => [...document.querySelectorAll("#members-panel :is(input, select)[id]")]
                .map((field) => { field.style.backgroundPosition = "right"; return field.id; })"""
        )
        assert len(styled) >= 3, styled
        page.get_by_label("Username").fill("bob")  # already a member: refused, 422
        page.get_by_role("button", name="Invite", exact=True).click()
        expect(page.locator("#username-error")).to_have_text("bob is already a member.")
        expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(".htmx-swapping, .htmx-added, .htmx-settling")).to_have_count(0)
        assert [s for s in seen if not s.startswith(REFUSED)] == [], scheme


def test_pickers_name_people_and_tick_from_the_whole_row_on_a_phone(app, chat_room, new_context):
    named(app, bob="Bob Builder")
    page = context_for(new_context, PHONE, "light").new_page()
    browser_login(page, "alice")
    for path in ("/direct/new", f"/boards/{board_of(app, chat_room)}/rooms/new"):
        page.goto(path)
        box = page.get_by_role("checkbox", name="Bob Builder @bob")
        label = page.locator("label", has=page.locator("small", has_text="@bob"))
        expect(label).to_have_text("Bob Builder @bob")
        expect(page.get_by_role("checkbox", name="carol", exact=True)).to_be_visible()
        row = page.locator(".checklist li", has=box)
        assert row.bounding_box()["height"] >= ROW, path
        assert label.bounding_box()["height"] >= ROW, path
        on_the_name = {"x": 8, "y": label.bounding_box()["height"] / 2}  # "B" of "Bob"
        label.click(position=on_the_name)
        expect(box).to_be_checked()
        label.click(position=on_the_name)
        expect(box).not_to_be_checked()


def test_on_a_phone_the_rooms_button_and_menu_show_news_of_another_room(
    app, chat_room, new_context
):
    other = second_room(app, chat_room)  # alice and bob are in both
    context = context_for(new_context, PHONE, "light", timeout=20_000)
    alice = context.new_page()
    browser_login(alice, "alice")
    alice.goto(f"/rooms/{chat_room}")
    expect_socket_open(alice)
    expect(alice.locator(".rooms-button")).to_be_visible()
    assert after(alice, ".rooms-button", "content") == "none"
    assert after(alice, ".site-menu-toggle", "content") == "none"

    say(app, other, "bob", "news in random")
    expect(alice.locator(f'#room-list [data-unread-room="{other}"]')).to_have_class("unread")
    for toggle in (".rooms-button", ".site-menu-toggle"):
        assert after(alice, toggle, "content") != "none", toggle
        assert after(alice, toggle, "width") == "8px", toggle

    reader = context.new_page()  # alice reads random in another tab: the dots go
    reader.goto(f"/rooms/{other}")
    expect_socket_open(reader)
    expect(alice.locator(f'#room-list [data-unread-room="{other}"]')).not_to_have_class("unread")
    for toggle in (".rooms-button", ".site-menu-toggle"):
        assert after(alice, toggle, "content") == "none", toggle
