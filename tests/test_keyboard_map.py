"""The keyboard map (issue 23): `?` lists the page's keys in a dialog that Esc closes (the
focus back where it was); on the board, Enter opens the focused card, `n` goes to its
column's quick add, `/` to the board's filter, and `a`, `d` and `l` open the card's popup
(boards/quick.py: a server-rendered form in the board's <dialog>) that assigns it or dates
it, live for everyone; the same forms work as plain pages without JavaScript."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from taskflow.boards import quick, task_service
from taskflow.extensions import db
from taskflow.models import Task, User

from .a11y import PHONE, axe_violations, context_for, too_wide, watch_console
from .conftest import (
    ROOT,
    as_user,
    browser_login,
    open_room,
    wait_until,
)
from .test_card_keys import link, open_board, user_id


def task_row(app, task_id: int) -> tuple[int | None, date | None]:
    """The task's assignee id and due date, as saved."""
    with app.app_context():
        task = db.session.get(Task, task_id)
        row = task.assignee_id, task.due_date
        db.session.remove()
    return row


def test_question_mark_lists_the_pages_keys_and_esc_closes_it(new_page, board_with_task):
    board_id, task_id, _ = board_with_task
    page = new_page("alice")
    seen = watch_console(page)
    open_board(page, board_id)
    keys = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(keys).to_be_hidden()
    link(page, task_id).focus()
    page.keyboard.press("?")
    expect(keys).to_be_visible()
    for said in ("Open the focused card", "Assign the card", "Set the card's due date"):
        expect(keys).to_contain_text(said)
    expect(keys).to_contain_text("Move the focused card")
    expect(keys).to_contain_text("Show this list of keys")  # and every page's keys
    page.keyboard.press("Escape")
    expect(keys).to_be_hidden()
    expect(link(page, task_id)).to_be_focused()  # back where it was
    page.keyboard.press("?")  # Close closes it too
    keys.get_by_role("button", name="Close").click()
    expect(keys).to_be_hidden()

    # Typed into a field, "?" is a character.
    field = page.get_by_label("New task in To Do")
    field.focus()
    page.keyboard.press("?")
    expect(field).to_have_value("?")
    expect(keys).to_be_hidden()

    # A task page and a room page list their own keys.
    page.goto(f"/tasks/{task_id}")
    page.keyboard.press("?")
    expect(keys).to_contain_text("Post the comment")
    expect(keys).not_to_contain_text("Assign the card")
    page.keyboard.press("Escape")
    page.goto("/boards")
    page.keyboard.press("?")
    expect(keys).to_contain_text("Show this list of keys")
    expect(keys).not_to_contain_text("Post the comment")
    assert seen == []


def test_a_room_lists_its_keys_and_its_scripts_still_run(new_page, chat_room):
    """Every page's scripts share one scope: live.js's helpers must not clash with room.js."""
    page = new_page("alice")
    seen = watch_console(page)
    open_room(page, chat_room)
    page.locator(".scroller").focus()  # the messages: one Tab stop
    page.keyboard.press("?")
    keys = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(keys).to_contain_text("Send the message")
    expect(keys).to_contain_text("The previous or next room")
    page.keyboard.press("Escape")
    expect(keys).to_be_hidden()
    composer = page.locator("#composer-input")
    composer.fill("?")  # typed, not a shortcut
    expect(keys).to_be_hidden()
    composer.press("Enter")
    expect(page.locator(".message-body")).to_have_text(["?"])
    assert seen == []


def test_esc_closes_the_header_menu_on_any_page(new_page, board_with_task):
    page = new_page("alice", viewport=PHONE)
    page.goto("/boards")
    menu = page.locator("details.site-menu")
    page.get_by_text("Menu", exact=True).click()
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")


def test_the_keyboard_map_and_popup_pass_axe_light_and_dark_on_a_phone(
    new_context, board_with_task
):
    board_id, task_id, _ = board_with_task
    for scheme in ("light", "dark"):
        page = context_for(new_context, PHONE, scheme, axe=True).new_page()
        browser_login(page, "alice")
        open_board(page, board_id)
        link(page, task_id).focus()
        page.keyboard.press("?")
        expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
        assert axe_violations(page) == [], scheme
        assert too_wide(page) == [], scheme
        page.keyboard.press("Escape")
        link(page, task_id).focus()
        page.keyboard.press("a")
        popup = page.get_by_role("dialog", name="Assign “Ship it”")
        expect(popup).to_be_visible()
        expect(popup.get_by_role("listbox", name="Assignee")).to_be_focused()
        assert axe_violations(page) == [], scheme
        assert too_wide(page) == [], scheme


def test_a_assigns_the_focused_card_from_the_keyboard_live_for_everyone(
    new_page, board_with_task, app
):
    board_id, task_id, _ = board_with_task
    alice, bob = new_page("alice"), new_page("bob")
    seen = watch_console(alice)
    for page in (alice, bob):
        open_board(page, board_id)
    link(alice, task_id).focus()
    alice.keyboard.press("a")
    popup = alice.get_by_role("dialog", name="Assign “Ship it”")
    listbox = popup.get_by_role("listbox", name="Assignee")
    expect(listbox).to_be_focused()
    expect(listbox.get_by_role("option", selected=True)).to_have_text("Nobody")
    alice.keyboard.press("ArrowDown")  # alice, then bob (by name)
    alice.keyboard.press("ArrowDown")
    expect(listbox.get_by_role("option", selected=True)).to_have_text("bob")
    alice.keyboard.press("Enter")
    expect(popup).to_be_hidden()
    expect(link(alice, task_id)).to_be_focused()
    wait_until(lambda: task_row(app, task_id)[0] == user_id(app, "bob"), message="not saved")
    assigned = f"#task-{task_id} [aria-label='Assigned to bob']"
    expect(bob.locator(assigned)).to_be_visible()  # live, on bob's board
    expect(alice.locator(assigned)).to_be_visible()

    # Esc closes it without a change, the focus back on the card.
    alice.keyboard.press("a")
    expect(listbox.get_by_role("option", selected=True)).to_have_text("bob")
    alice.keyboard.press("ArrowUp")
    alice.keyboard.press("Escape")
    expect(popup).to_be_hidden()
    expect(link(alice, task_id)).to_be_focused()
    assert task_row(app, task_id)[0] == user_id(app, "bob")
    assert seen == []


def test_d_sets_the_due_date_and_the_card_shows_it(new_page, board_with_task, app):
    board_id, task_id, _ = board_with_task
    alice, bob = new_page("alice"), new_page("bob")
    for page in (alice, bob):
        open_board(page, board_id)
    link(alice, task_id).focus()
    alice.keyboard.press("d")
    popup = alice.get_by_role("dialog", name="Due date of “Ship it”")
    field = popup.get_by_label("Due date")
    expect(field).to_be_focused()
    field.fill("2031-03-14")
    alice.keyboard.press("Enter")
    expect(popup).to_be_hidden()
    expect(link(alice, task_id)).to_be_focused()
    wait_until(lambda: task_row(app, task_id)[1] == date(2031, 3, 14), message="not saved")
    expect(bob.locator(f"#task-{task_id} .due")).to_have_text("Due 14 Mar 2031")

    # Clear: no date, for everyone.
    alice.keyboard.press("d")
    expect(field).to_have_value("2031-03-14")
    popup.get_by_role("button", name="Clear the date").click()
    expect(popup).to_be_hidden()
    expect(bob.locator(f"#task-{task_id} .due")).to_have_count(0)
    assert task_row(app, task_id)[1] is None


def test_n_enter_and_slash_on_the_board(new_page, board_with_task):
    board_id, task_id, (todo, _, _) = board_with_task
    page = new_page("alice")
    open_board(page, board_id)
    link(page, task_id).focus()
    page.keyboard.press("n")
    field = page.locator(f"#new-task-{todo}")
    expect(field).to_be_focused()
    expect(field).to_have_value("")  # the key was not typed into it

    # "/" goes to the board's filter, and the key is not typed into it.
    link(page, task_id).focus()
    page.keyboard.press("/")
    expect(page.locator("#board-filter")).to_be_focused()
    expect(page.locator("#board-filter")).to_have_value("")

    link(page, task_id).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/tasks/{task_id}")


def test_the_popups_are_plain_pages_and_forms_without_javascript(no_js, board_with_task, app):
    board_id, task_id, _ = board_with_task
    page = no_js("alice")
    page.goto(f"/tasks/{task_id}/quick/assign")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assign “Ship it”")
    page.get_by_label("Assignee").select_option(label="bob")
    page.get_by_role("button", name="Assign").click()
    page.wait_for_url(re.compile(rf"/boards/{board_id}#task-{task_id}$"))
    expect(page.locator(f"#task-{task_id} [aria-label='Assigned to bob']")).to_be_visible()
    page.goto(f"/tasks/{task_id}/quick/due")
    page.get_by_label("Due date").fill("2031-03-14")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/boards/{board_id}#task-{task_id}$"))
    assert task_row(app, task_id) == (user_id(app, "bob"), date(2031, 3, 14))


def test_the_quick_routes_check_access_input_and_kind(board_with_task, app):
    board_id, task_id, _ = board_with_task
    alice = as_user(app, "alice")
    url = f"/tasks/{task_id}/quick"
    fragment = alice.get(f"{url}/assign", htmx=True).get_data(as_text=True)
    assert "<html" not in fragment and 'role="alert"' not in fragment
    assert "hx-post" in fragment and 'method="dialog"' in fragment
    page = alice.get(f"{url}/assign").get_data(as_text=True)
    assert "<html" in page and "hx-post" not in page
    assert alice.get(f"{url}/nothing").status_code == 404
    assert as_user(app, "carol").get(f"{url}/assign").status_code == 404
    assert as_user(app, "carol").post(f"{url}/assign", {"assignee_id": "0"}).status_code == 404
    carol = user_id(app, "carol")
    refused = alice.post(f"{url}/assign", {"assignee_id": str(carol)}, htmx=True)
    assert refused.status_code == 422 and "must be a member" in refused.get_data(as_text=True)
    assert alice.post(f"{url}/assign", {"assignee_id": "-1"}).status_code == 422
    assert alice.post(f"{url}/assign", {"username": "@carol"}).status_code == 422
    assert alice.post(f"{url}/due", {"due_date": "2031-02-30"}).status_code == 422
    assert alice.post(f"{url}/due", {"due_date": "x" * 5000}).status_code == 422
    assert task_row(app, task_id) == (None, None)
    saved = alice.post(f"{url}/assign", {"username": "@bob"}, htmx=True)
    assert saved.status_code == 200 and saved.headers["HX-Reswap"] == "none"
    assert 'id="board-diff"' in saved.get_data(as_text=True)
    assert task_row(app, task_id)[0] == user_id(app, "bob")
    plain = alice.post(f"{url}/due", {"due_date": "2031-03-14"})
    assert plain.status_code == 302
    assert plain.location.endswith(f"/boards/{board_id}#task-{task_id}")


@pytest.mark.parametrize("name", sorted(quick.KINDS))
def test_each_kind_has_one_lower_case_key_and_a_template(name):
    kind = quick.KINDS[name]
    assert re.fullmatch(r"[a-z]", kind.key) and kind.key != "n"
    assert (ROOT / "templates/boards/tasks/quick" / f"{name}.html").is_file()
    assert len({k.key for k in quick.KINDS.values()}) == len(quick.KINDS)


def test_a_popups_change_keeps_an_edit_committed_meanwhile(app, board_with_task):
    """The popup's task was read before the board's lock; another member's rename committed
    in between is kept (the one field is changed on the task as it is under the lock)."""
    _, task_id, _ = board_with_task
    with app.test_request_context():  # the diff renders with url_for
        task = db.session.get(Task, task_id)
        alice = User.by_username("alice")
        assert task.title == "Ship it"
        with app.app_context():  # another request, committed first
            db.session.get(Task, task_id).title = "Ship it today"
            db.session.commit()
            db.session.remove()
        task_service.set_due_date(task, alice, date(2031, 3, 14))
        task_service.assign_task(task, alice, alice.id)
        db.session.remove()
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert (task.title, task.due_date) == ("Ship it today", date(2031, 3, 14))
        db.session.remove()


def test_l_labels_the_focused_card_live_for_everyone(new_page, board_with_task, app):
    from taskflow.boards import label_service
    from taskflow.models import Board

    board_id, task_id, _ = board_with_task
    with app.app_context():
        label_service.create_label(db.session.get(Board, board_id), "bug", "red")
        db.session.remove()
    alice, bob = new_page("alice"), new_page("bob")
    for page in (alice, bob):
        open_board(page, board_id)
    link(alice, task_id).focus()
    alice.keyboard.press("l")
    popup = alice.get_by_role("dialog", name="Labels of “Ship it”")
    box = popup.get_by_role("checkbox", name="bug")
    expect(box).to_be_focused()
    alice.keyboard.press("Space")
    expect(box).to_be_checked()
    alice.keyboard.press("Tab")
    alice.keyboard.press("Enter")
    expect(popup).to_be_hidden()
    expect(link(alice, task_id)).to_be_focused()
    expect(bob.locator(f"#task-{task_id}").get_by_text("bug")).to_be_visible()


def test_c_adds_a_checklist_item_and_e_archives_with_undo(new_page, board_with_task, app):
    board_id, task_id, _ = board_with_task
    alice, bob = new_page("alice"), new_page("bob")
    for page in (alice, bob):
        open_board(page, board_id)
    link(alice, task_id).focus()
    alice.keyboard.press("c")
    popup = alice.get_by_role("dialog", name="Checklist of “Ship it”")
    field = popup.get_by_label("New checklist item")
    expect(field).to_be_focused()
    field.fill("Write the notes")
    alice.keyboard.press("Enter")
    expect(popup).to_be_hidden()
    expect(link(alice, task_id)).to_be_focused()
    expect(bob.locator(f"#task-{task_id} .card-checklist")).to_contain_text("0 of 1")

    link(alice, task_id).focus()
    alice.keyboard.press("e")
    popup = alice.get_by_role("dialog", name="Archive “Ship it”?")
    expect(popup.get_by_role("button", name="Archive")).to_be_focused()
    alice.keyboard.press("Enter")
    expect(bob.locator(f"#task-{task_id}")).to_have_count(0)
    undo = alice.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()  # the card is gone: the keys go on from its Undo
    alice.keyboard.press("Enter")
    expect(bob.locator(f"#task-{task_id}")).to_be_visible()
    expect(alice.locator(f"#task-{task_id}")).to_be_visible()
