"""People (issue 13) in real headless Chromium: the browser's zone taken at login, each
reader's times in their zone live and on reload, grouping live, and a display name set on
the profile page reaching the other page."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from taskflow.chat import unread
from taskflow.extensions import db
from taskflow.models import User

from .conftest import browser_login, open_room


def zone_of(app, username: str) -> str | None:
    with app.app_context():
        zone = User.by_username(username).time_zone
        db.session.remove()
        return zone


def clock(stamp: str, zone: str) -> str:
    """HH:MM in `zone` of a <time datetime="...Z">."""
    at = datetime.fromisoformat(stamp.removesuffix("Z")).replace(tzinfo=UTC)
    return at.astimezone(ZoneInfo(zone)).strftime("%H:%M")


def test_the_zone_is_taken_from_the_browser_at_login(app, chat_room, new_page):
    page = new_page(timezone_id="Asia/Tokyo")
    browser_login(page, "alice")
    # The login page loads none of our scripts (issue 21): the first page after it sends the
    # zone (people.js), then drops its data-zone-unset.
    expect(page.locator("body")).not_to_have_attribute("data-zone-unset", re.compile(""))
    assert zone_of(app, "alice") == "Asia/Tokyo"


def test_the_profile_offers_the_browsers_zone_first_then_places_by_region(app, chat_room, new_page):
    """Issue 22: the zone list is the browser's zone, then places grouped by region (no
    "Factory", no "localtime"); another is picked from its region and saved."""
    page = new_page(timezone_id="Pacific/Auckland")
    browser_login(page, "alice")
    expect(page.locator("body")).not_to_have_attribute("data-zone-unset", re.compile(""))
    page.goto("/profile")
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("Pacific/Auckland")
    first = zone.locator("optgroup").first
    expect(first).to_have_attribute("label", "Your zone")
    expect(first.locator("option")).to_have_text(["Pacific/Auckland"])
    expect(zone.locator('optgroup[label="Europe"] option[value="Europe/Paris"]')).to_have_text(
        "Paris"
    )
    expect(zone.locator('option[value="Factory"], option[value="localtime"]')).to_have_count(0)
    zone.select_option("Europe/Paris")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status").or_(page.locator(".flash"))).to_contain_text("Profile saved.")
    assert zone_of(app, "alice") == "Europe/Paris"
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Paris")


def test_two_readers_see_a_message_at_their_own_time_live_and_on_reload(app, chat_room, new_page):
    zones = {"alice": "Asia/Tokyo", "bob": "America/New_York"}
    pages = {}
    for name, zone in zones.items():
        pages[name] = new_page(timezone_id=zone)
        browser_login(pages[name], name)
        open_room(pages[name], chat_room)
    alice, bob = pages["alice"], pages["bob"]
    alice.locator("#composer-input").fill("what time is it?")
    alice.locator("#composer-input").press("Enter")
    for name, page in pages.items():
        message = page.locator(".message").last
        expect(message.locator(".message-body")).to_have_text("what time is it?")
        time = message.locator("time")
        stamp = time.get_attribute("datetime")
        expect(time).to_have_text(clock(stamp, zones[name]))
        expect(page.locator(".day-separator").last).to_have_text("Today")
    assert clock(stamp, "Asia/Tokyo") != clock(stamp, "America/New_York")

    bob.reload()
    time = bob.locator(".message").last.locator("time")
    expect(time).to_have_text(clock(stamp, "America/New_York"))
    # The full date and time: on hover (title) and on keyboard focus (shown by CSS).
    full = time.get_attribute("title")
    assert str(datetime.now(ZoneInfo("America/New_York")).year) in full
    time.focus()
    shown = bob.evaluate("el => getComputedStyle(el, '::after').content", time.element_handle())
    assert shown == f'"{full}"'


def test_a_live_message_shows_in_each_readers_profile_zone(app, chat_room, new_page):
    """The live fragment is one rendering (its time in UTC, with the instant); each page shows
    it in the zone of its user's profile (<body data-zone>: static/js/local_time.js), not in
    the browser's (UTC here)."""
    zones = {"alice": "Asia/Kolkata", "bob": "America/Los_Angeles"}
    with app.app_context():
        for name, zone in zones.items():
            User.by_username(name).time_zone = zone
        db.session.commit()
        db.session.remove()
    pages = {}
    for name in zones:
        pages[name] = new_page(timezone_id="UTC")
        browser_login(pages[name], name)
        open_room(pages[name], chat_room)
    pages["bob"].locator("#composer-input").fill("the time, please")
    pages["bob"].locator("#composer-input").press("Enter")
    for name, page in pages.items():
        message = page.locator(".message").last
        expect(message.locator(".message-body")).to_have_text("the time, please")
        time = message.locator("time")
        stamp = time.get_attribute("datetime")
        expect(time).to_have_text(clock(stamp, zones[name]))
        day = datetime.fromisoformat(stamp.removesuffix("Z")).replace(tzinfo=UTC)
        local = day.astimezone(ZoneInfo(zones[name]))
        expect(time).to_have_attribute("title", f"{local:%A} {local.day} {local:%B %Y, %H:%M}")
        expect(page.locator(".day-separator").last).to_have_text("Today")
    shown = {clock(stamp, zone) for zone in ("Asia/Kolkata", "America/Los_Angeles", "UTC")}
    assert len(shown) == 3


def test_quick_messages_group_live_and_a_new_display_name_shows(app, chat_room, new_page):
    alice, bob = new_page(timezone_id="Europe/Paris"), new_page(timezone_id="Europe/Paris")
    browser_login(alice, "alice")
    browser_login(bob, "bob")
    alice.goto("/profile")
    alice.get_by_label("Display name").fill("Alice Smith")
    alice.get_by_label("Teal").check()
    alice.get_by_role("button", name="Save profile").click()
    expect(alice.locator(".user-menu summary")).to_have_text("AS Alice Smith")
    for page in (alice, bob):
        open_room(page, chat_room)

    composer = alice.locator("#composer-input")
    for text in ("one", "two", "three"):
        composer.fill(text)
        composer.press("Enter")
        expect(bob.locator(".message-body").last).to_have_text(text)
    bob.locator("#composer-input").fill("bob breaks it")
    bob.locator("#composer-input").press("Enter")
    expect(alice.locator(".message-body").last).to_have_text("bob breaks it")

    messages = bob.locator(".message")
    expect(messages).to_have_count(4)
    expect(messages.nth(0).locator(".author")).to_have_text("Alice Smith")
    expect(messages.nth(0).locator(".avatar")).to_have_text("AS")
    expect(messages.nth(0).locator(".avatar")).to_have_class("avatar c4")
    for grouped in (1, 2):
        expect(messages.nth(grouped)).to_have_class("message grouped")
        expect(messages.nth(grouped).locator(".author")).to_be_hidden()
    expect(messages.nth(3)).to_have_class("message")
    expect(messages.nth(3).locator(".author")).to_be_visible()
    expect(bob.locator("#room-members")).to_contain_text("Alice Smith")


def test_loading_older_messages_of_the_same_day_keeps_one_separator(app, chat_room, new_page):
    from .test_rooms import fill_room

    fill_room(app, chat_room, count=60)  # all of today
    with app.app_context():  # read: the page opens at the latest, not at "New" above them
        unread.mark_read(chat_room, User.by_username("bob").id)
    page = new_page()
    browser_login(page, "bob")
    open_room(page, chat_room)
    expect(page.locator(".message")).to_have_count(50)
    expect(page.locator(".day-separator")).to_have_count(1)
    page.get_by_role("link", name="Load older messages").click()
    expect(page.locator(".message")).to_have_count(60)
    expect(page.locator(".day-separator")).to_have_count(1)
    expect(page.locator(".day-separator")).to_have_text("Today")
    expect(page.locator("[data-message-list] > li").first).to_have_class("day-separator")
