"""Issue 22: the room page's rough edges a newcomer found (the reaction picker at the screen's
edges, "(edited)", the message list's Tab stops, the hints without JavaScript, the offline
state), in real Chromium at 390 px (touch) and 1280 px."""

import re

from playwright.sync_api import expect

from .a11y import DESKTOP, PHONE, context_for
from .conftest import browser_login, open_room
from .test_browser_reactions import post_from
from .test_nothing_lost import saved


def room_at(new_context, viewport: dict, username: str, room_id: int, **options):
    page = context_for(new_context, viewport, "light", **options).new_page()
    browser_login(page, username)
    if options.get("java_script_enabled", True):
        open_room(page, room_id)
    else:
        page.goto(f"/rooms/{room_id}")
    return page


def shown_whole(page, element) -> bool:
    """The element's middle and the middles of its edges (its corners may be rounded) are on
    screen, and the element itself is what is there (not clipped by a
    scroller, not under something else)."""
    return page.evaluate(
        """(el) => {
          const r = el.getBoundingClientRect();
          const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
          return [[x, y], [x, r.top + 2], [x, r.bottom - 2], [r.left + 2, y], [r.right - 2, y]]
            .every(([x, y]) => x >= 0 && y >= 0 && x <= innerWidth && y <= innerHeight
                     && el.contains(document.elementFromPoint(x, y)));
        }""",
        element.element_handle(),
    )


def test_the_picker_stays_on_a_phones_screen_and_takes_a_tap(new_context, chat_room):
    bob = room_at(new_context, DESKTOP, "bob", chat_room)
    for text in ("first of bob's", "second of bob's", "third of bob's"):
        post_from(bob, text)
    alice = room_at(new_context, PHONE, "alice", chat_room)
    mine = post_from(alice, "alice's own")  # Edit and Delete beside React: other slots
    for message in (alice.locator(".message").first, mine, alice.locator(".message").nth(2)):
        message.locator("a.react").tap()
        picker = alice.get_by_role("group", name="Add a reaction")
        expect(picker).to_be_visible()
        assert shown_whole(alice, picker)
        buttons = picker.get_by_role("button")
        expect(buttons).to_have_count(6)
        for i in range(6):
            box = buttons.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (i, box)
            assert shown_whole(alice, buttons.nth(i)), (i, box)
        assert alice.evaluate("() => document.documentElement.scrollWidth") <= 390
        buttons.nth(4).tap()  # the fifth
        expect(picker).to_have_count(0)
        expect(message.locator(".reaction")).to_have_count(1)
        expect(message.locator(".reaction")).to_have_attribute("aria-pressed", "true")


def test_the_picker_leaves_the_sidebar_alone_at_1280(new_context, chat_room):
    page = room_at(new_context, DESKTOP, "alice", chat_room)
    post_from(page, "one")
    last = post_from(page, "two")
    leave = page.get_by_role("link", name="Leave room").bounding_box()
    last.hover()
    last.locator("a.react").click()
    picker = page.get_by_role("group", name="Add a reaction")
    expect(picker.get_by_role("button").first).to_be_focused()
    box = picker.bounding_box()
    room = page.locator("#room-live").bounding_box()
    assert box["x"] >= room["x"] and box["x"] + box["width"] <= room["x"] + room["width"], box
    assert box["x"] + box["width"] <= leave["x"] or box["y"] >= leave["y"] + leave["height"]
    for i in range(6):
        assert shown_whole(page, picker.get_by_role("button").nth(i)), i
    page.keyboard.press("ArrowRight")  # the keys still move along it
    expect(picker.get_by_role("button").nth(1)).to_be_focused()
    page.keyboard.press("Escape")
    expect(picker).to_have_count(0)
    expect(last.locator("a.react")).to_be_focused()


def test_edited_follows_its_text_with_the_edit_time(new_context, chat_room):
    page = room_at(new_context, DESKTOP, "alice", chat_room)
    post_from(page, "the original")
    reply = page.locator(".message").last
    reply.hover()
    reply.locator("a.reply").click()
    expect(page.locator("#replying")).to_be_visible()
    sent = post_from(page, "a reply, mistpyed")  # grouped under the first, with a quote
    mine = page.locator(f"#{sent.get_attribute('id')}")
    composer = page.locator("#composer-input")
    composer.press("ArrowUp")
    editor = page.locator(f"#{sent.get_attribute('id')}-input")
    editor.fill("a reply, fixed")
    editor.press("Enter")
    edited = mine.locator(".edited")
    expect(edited).to_have_text("(edited)")
    expect(edited).to_have_attribute(
        "title", re.compile(r"^Edited \w+day \d+ \w+ \d{4}, \d\d:\d\d")
    )
    body, mark = mine.locator(".message-body").bounding_box(), edited.bounding_box()
    quote = mine.locator(".reply-quote").bounding_box()
    assert mark["y"] >= quote["y"] + quote["height"], (mark, quote)  # below the quote
    # on the text's line, after it
    assert abs((mark["y"] + mark["height"] / 2) - (body["y"] + body["height"] / 2)) < 6, (
        mark,
        body,
    )
    assert mark["x"] > body["x"], (mark, body)


def test_without_javascript_the_hints_say_what_the_keys_do(new_context, chat_room):
    for viewport in (DESKTOP, PHONE):
        page = room_at(new_context, viewport, "alice", chat_room, java_script_enabled=False)
        expect(page.get_by_text("Enter sends")).to_be_hidden()  # Enter makes a new line
        if viewport is DESKTOP:
            no_js_hint = page.locator("noscript .composer-hint")
            expect(no_js_hint).to_have_text(re.compile("Send posts it"))
            assert no_js_hint.bounding_box()["height"] > 0
        page.locator("#composer-input").fill("no script here")
        page.get_by_role("button", name="Send").click()
        message = page.locator(".message", has_text="no script here").last
        page.goto(message.locator("a.react").get_attribute("href"))
        hint = page.locator(".hint", has_text="takes it back").bounding_box()
        for button in page.locator(".reaction-choices button").all():
            box = button.bounding_box()
            assert box["y"] + box["height"] <= hint["y"] or box["y"] >= hint["y"] + hint["height"]


def test_with_javascript_the_composers_keys_are_hinted(new_context, chat_room):
    page = room_at(new_context, DESKTOP, "alice", chat_room)
    expect(page.get_by_text("Enter sends")).to_be_visible()
    expect(page.locator("noscript .composer-hint")).to_have_count(0)


WATCH_BOTH = """() => {
  // Records whether the page ever says "Not sent." while saying "Reconnecting…".
  const check = () => {
    const box = document.querySelector("#outbox");
    const connection = document.querySelector("#connection-state")?.textContent || "";
    if (box && !box.hidden && /Not sent|Retry/.test(box.textContent)
        && connection.includes("Reconnecting")) window.saidBoth = true;
  };
  new MutationObserver(check).observe(document.body,
    { subtree: true, childList: true, characterData: true, attributes: true });
  window.saidBoth = false;
}"""


def test_a_message_sent_offline_is_sending_until_it_arrives_once(
    app, live_server, chat_room, proxy, room_page
):
    alice = room_page(proxy.url, "alice", chat_room)
    bob = room_page(live_server, "bob", chat_room)
    alice.evaluate(WATCH_BOTH)
    proxy.refuse = True  # offline: no connection gets through
    proxy.cut()
    expect(alice.locator("body")).to_have_attribute("data-socket", "closed")
    composer = alice.locator("#composer-input")
    composer.fill("sent while offline")
    composer.press("Enter")
    # the HTTP fallback has been tried and failed (the page said "Not sent." then, beside
    # "Reconnecting… (messages you send are still delivered)"): still sending, the text kept
    alice.wait_for_event("requestfailed", timeout=20_000)
    expect(alice.locator("#outbox")).to_have_text("Sending…")
    expect(alice.locator("#outbox")).to_be_visible()
    expect(composer).to_have_value("sent while offline")
    assert saved(app, "sent while offline") == 0
    proxy.refuse = False  # back online
    for page in (alice, bob):
        shown = page.locator(".message-body", has_text="sent while offline")
        expect(shown).to_have_count(1, timeout=30_000)
    expect(composer).to_have_value("")
    expect(alice.locator("#outbox")).to_be_hidden()
    assert saved(app, "sent while offline") == 1
    assert alice.evaluate("() => window.saidBoth") is False


def test_the_message_list_is_one_tab_stop_with_arrows_between_messages(new_context, chat_room):
    bob = room_at(new_context, DESKTOP, "bob", chat_room)
    for text in ("one from bob", "two from bob"):
        post_from(bob, text)
    page = room_at(new_context, DESKTOP, "alice", chat_room)
    reply = page.locator(".message").last
    reply.hover()
    reply.locator("a.reply").click()
    expect(page.locator("#replying")).to_be_visible()
    mine = post_from(page, "three from alice")  # a reply: a quote, links, a time
    mine.locator("a.react").focus()
    page.keyboard.press("Enter")
    page.get_by_role("group", name="Add a reaction").get_by_role("button").first.press("Enter")
    expect(mine.locator(".reaction")).to_have_count(1)
    messages = page.locator(".message")
    scroller = page.get_by_role("log", name="Messages")
    composer = page.locator("#composer-input")

    scroller.focus()
    page.keyboard.press("Tab")  # past every message's links: one stop
    expect(composer).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # back past the composer's own controls, if any
    focused = page.evaluate("() => document.activeElement.closest('.message')?.id || null")
    assert focused is None  # never into a message backwards either

    scroller.focus()
    page.keyboard.press("ArrowUp")  # the newest message
    expect(messages.nth(2)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(messages.nth(1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(messages.nth(2)).to_be_focused()
    page.keyboard.press("Tab")  # into the focused message's actions
    inside = page.evaluate("() => document.activeElement.closest('.message')?.id")
    assert inside == mine.get_attribute("id")
    for _ in range(12):  # its stops, then out of the list, to the composer
        page.keyboard.press("Tab")
        where = page.evaluate("() => document.activeElement.closest('.message')?.id || null")
        if where is None:
            break
        assert where == mine.get_attribute("id")
    expect(composer).to_be_focused()

    scroller.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(messages.nth(0)).to_be_focused()
    page.keyboard.press("ArrowUp")  # the first stays
    expect(messages.nth(0)).to_be_focused()
    page.keyboard.press("Escape")  # back to the composer
    expect(composer).to_be_focused()


def test_up_edits_the_last_message_after_reacting(new_context, chat_room):
    page = room_at(new_context, DESKTOP, "alice", chat_room)
    mine = post_from(page, "react then edit")
    mine.locator("a.react").focus()
    page.keyboard.press("Enter")
    page.get_by_role("group", name="Add a reaction").get_by_role("button").first.press("Enter")
    chip = mine.locator(".reaction")
    expect(chip).to_be_focused()
    page.keyboard.press("Escape")  # from the reaction back to the composer
    composer = page.locator("#composer-input")
    expect(composer).to_be_focused()
    composer.press("ArrowUp")  # edits the last message, the reaction's
    editor = page.locator(f"#{mine.get_attribute('id')}-input")
    expect(editor).to_be_focused()
    editor.press("Escape")  # cancelled: back to the composer, not to the reaction
    expect(editor).to_have_count(0)
    expect(composer).to_be_focused()
    composer.press("ArrowUp")
    expect(editor).to_be_focused()
