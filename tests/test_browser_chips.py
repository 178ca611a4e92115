"""Live task chips in real Chromium (issue 24): a chip on bob's open room page follows the
task alice moves on her board, and a message arriving live loads its chip for its reader."""

from playwright.sync_api import expect

from .conftest import browser_login, expect_socket_open
from .helpers import columns
from .test_browser_live import move
from .test_chips import world


def test_a_chip_updates_live_on_another_users_room_page(app, login, new_page):
    alice_client, _, _, board_id, room_id, task, _ = world(app, login)
    alice_client.post(f"/rooms/{room_id}/messages", {"content": "Is #1 on track?"})
    (_, todo, _), (_, doing, _) = columns(app, board_id)[:2]

    bob = new_page()
    browser_login(bob, "bob")
    bob.goto(f"/rooms/{room_id}")
    expect_socket_open(bob)
    chip = bob.locator(f'.task-chip[data-chip="{task}"]')
    expect(chip).to_have_count(1)
    expect(chip.locator(".chip-column")).to_have_text(todo)

    alice = new_page()
    browser_login(alice, "alice")
    alice.goto(f"/boards/{board_id}")
    expect_socket_open(alice)
    move(alice, task, "right")
    expect(chip.locator(".chip-column")).to_have_text(doing)  # live, without a reload

    # A message arriving live carries a marker; bob's page loads his chip for it.
    alice.goto(f"/rooms/{room_id}")
    expect_socket_open(alice)
    composer = alice.locator("#composer-input")
    composer.fill("#1 moved, see above")
    composer.press("Enter")
    expect(chip).to_have_count(2)
    expect(chip.nth(1).locator(".chip-title")).to_have_text("Ship it")
    expect(chip.nth(1).locator(".chip-column")).to_have_text(doing)


def test_a_chip_changed_while_the_socket_was_down_is_current_once_it_reconnects(
    app, login, new_context, proxy
):
    alice_client, _, _, board_id, room_id, task, _ = world(app, login)
    alice_client.post(f"/rooms/{room_id}/messages", {"content": "Is #1 on track?"})
    (_, todo, _), (_, doing, _) = columns(app, board_id)[:2]
    bob = new_context(base_url=proxy.url, timeout=20_000).new_page()
    browser_login(bob, "bob")
    bob.goto(f"/rooms/{room_id}")
    expect_socket_open(bob)
    column = bob.locator(f'.task-chip[data-chip="{task}"] .chip-column')
    expect(column).to_have_text(todo)

    # bob's connection drops; the task moves meanwhile (its chip frame never reaches him)
    proxy.refuse = True
    proxy.cut()
    expect(bob.locator("body")).to_have_attribute("data-socket", "closed")
    assert alice_client.post(f"/tasks/{task}/move", {"direction": "right"}).status_code == 302
    proxy.refuse = False
    expect_socket_open(bob)
    expect(column).to_have_text(doing)  # the page asked for its chips on reconnecting
