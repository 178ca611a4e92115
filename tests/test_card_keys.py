"""Cards on the board (issue 14): one Tab stop each, arrow keys between cards and columns,
Alt+Shift+arrows move a card (live for everyone, focus kept, the move said in the status
line), the task page moves without JavaScript, and a card that says only what matters."""

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from taskflow.extensions import db
from taskflow.models import Task, User

from .a11y import watch_console
from .conftest import as_user, browser_login, expect_socket_open, wait_until


def add_task(app, column_id: int, title: str, **fields) -> int:
    """A task at the end of the column."""
    with app.app_context():
        position = db.session.query(Task).filter_by(column_id=column_id).count()
        task = Task(column_id=column_id, title=title, position=position, **fields)
        db.session.add(task)
        db.session.commit()
        task_id = task.id
        db.session.remove()
    return task_id


def titles_in(app, column_id: int) -> list[str]:
    with app.app_context():
        query = db.session.query(Task.title).filter_by(column_id=column_id)
        titles = [title for (title,) in query.order_by(Task.position)]
        db.session.remove()
    return titles


def user_id(app, username: str) -> int:
    with app.app_context():
        found = User.by_username(username).id
        db.session.remove()
    return found


def open_board(page, board_id: int) -> None:
    page.goto(f"/boards/{board_id}")
    expect_socket_open(page)


def link(page, task_id: int):
    return page.locator(f"#task-{task_id}-link")


def column_titles(page, column_id: int):
    return page.locator(f"#column-{column_id}-cards .card-title")


def test_a_card_is_one_tab_stop(new_page, board_with_task, app):
    """Three cards: three Tabs from the first card to "Add a task" (it took 15 before)."""
    board_id, first, (todo, _, _) = board_with_task
    second, third = add_task(app, todo, "Second"), add_task(app, todo, "Third")
    page = new_page()
    browser_login(page, "alice")
    open_board(page, board_id)
    link(page, first).focus()
    for task_id in (second, third):
        page.keyboard.press("Tab")
        expect(link(page, task_id)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("New task in To Do")).to_be_focused()
    expect(page.locator(f"#task-{first}").get_by_role("button")).to_have_count(0)


def test_arrow_keys_move_the_focus_between_cards_and_columns(new_page, board_with_task, app):
    """Up and down within a column; left and right to the nearest card of the next column
    that has any (the empty one between is skipped); nothing beyond the edges."""
    board_id, first, (todo, _, done) = board_with_task
    second, third = add_task(app, todo, "Second"), add_task(app, todo, "Third")
    finished = add_task(app, done, "Finished")
    page = new_page()
    browser_login(page, "alice")
    open_board(page, board_id)
    link(page, first).focus()
    for key, focused in (
        ("ArrowDown", second),
        ("ArrowDown", third),
        ("ArrowDown", third),  # the last card: stays
        ("ArrowUp", second),
        ("ArrowRight", finished),  # In Progress is empty: skipped
        ("ArrowRight", finished),  # the last column: stays
        ("ArrowLeft", first),  # the nearest card at that height
    ):
        page.keyboard.press(key)
        expect(link(page, focused)).to_be_focused()
    assert titles_in(app, todo) == ["Ship it", "Second", "Third"]  # focus only: nothing moved


def test_alt_shift_arrows_move_the_card_for_everyone_and_say_where(new_page, board_with_task, app):
    board_id, task_id, (todo, doing, done) = board_with_task
    add_task(app, done, "Finished")
    alice, bob = new_page(), new_page()
    for page, name in ((alice, "alice"), (bob, "bob")):
        browser_login(page, name)
    seen = watch_console(alice)
    for page in (alice, bob):
        open_board(page, board_id)
    expect(alice.locator("#card-keys-help")).to_contain_text("Alt+Shift+arrows")
    status = alice.get_by_role("status").and_(alice.locator("#card-moves"))

    link(alice, task_id).focus()
    alice.keyboard.press("Alt+Shift+ArrowRight")
    wait_until(lambda: titles_in(app, doing) == ["Ship it"], message="the move was not saved")
    expect(column_titles(bob, doing)).to_have_text(["Ship it"])  # live, on the other board
    expect(column_titles(bob, todo)).to_have_count(0)
    expect(column_titles(alice, doing)).to_have_text(["Ship it"])
    expect(link(alice, task_id)).to_be_focused()
    expect(status).to_have_text("Moved “Ship it” to In Progress, position 1 of 1")

    alice.keyboard.press("Alt+Shift+ArrowRight")  # the focus stayed: it moves on
    expect(status).to_have_text("Moved “Ship it” to Done, position 1 of 2")
    alice.keyboard.press("Alt+Shift+ArrowDown")
    expect(status).to_have_text("Moved “Ship it” to Done, position 2 of 2")
    expect(column_titles(bob, done)).to_have_text(["Finished", "Ship it"])
    assert titles_in(app, done) == ["Finished", "Ship it"]
    alice.keyboard.press("Alt+Shift+ArrowDown")  # already last: said so
    expect(status).to_have_text("“Ship it” is already last in Done")
    expect(link(alice, task_id)).to_be_focused()
    assert [line for line in seen if "favicon" not in line] == []


def test_two_quick_moves_are_said_once_both_are_placed(new_page, board_with_task, app):
    board_id, task_id, (todo, _, _) = board_with_task
    add_task(app, todo, "Second")
    add_task(app, todo, "Third")
    page = new_page()
    browser_login(page, "alice")
    open_board(page, board_id)
    link(page, task_id).focus()
    page.keyboard.press("Alt+Shift+ArrowDown")
    page.keyboard.press("Alt+Shift+ArrowDown")  # before or after the first came back
    expect(page.locator("#card-moves")).to_have_text("Moved “Ship it” to To Do, position 3 of 3")
    expect(column_titles(page, todo)).to_have_text(["Second", "Third", "Ship it"])
    expect(link(page, task_id)).to_be_focused()
    assert titles_in(app, todo) == ["Second", "Third", "Ship it"]


def test_the_task_page_moves_the_task_without_javascript(no_js, board_with_task, app):
    board_id, task_id, (todo, doing, _) = board_with_task
    page = no_js("alice")
    page.goto(f"/boards/{board_id}")
    expect(page.locator(f"#task-{task_id}").get_by_role("button")).to_have_count(0)
    link(page, task_id).click()
    moves = page.get_by_role("group", name="Move")
    moves.get_by_role("button", name="Right").click()
    expect(page).to_have_url(re.compile(rf"/tasks/{task_id}$"))  # back on the task page
    expect(page.locator(".flash")).to_have_text("“Ship it” is now in In Progress, position 1 of 1.")
    expect(page.locator(".facts")).to_contain_text("In Progress")
    assert titles_in(app, doing) == ["Ship it"] and titles_in(app, todo) == []
    page.get_by_role("link", name="← Launch").click()
    expect(column_titles(page, doing)).to_have_text(["Ship it"])


def test_a_card_shows_priority_only_when_not_the_default(app, board_with_task):
    """Default ("medium"): no priority text. Others: a labelled chip. Due dates say
    "Overdue" in words; the assignee is an avatar named for assistive technology. The diff
    a move sends renders the card the same way."""
    board_id, plain, (todo, _, _) = board_with_task
    today = datetime.now(UTC).date()
    urgent = add_task(
        app,
        todo,
        "Urgent one",
        priority="high",
        due_date=today - timedelta(days=1),
        assignee_id=user_id(app, "bob"),
    )
    later = add_task(app, todo, "Later", priority="low", due_date=today + timedelta(days=3))
    alice = as_user(app, "alice")
    page = alice.get(f"/boards/{board_id}").get_data(as_text=True)
    cards = {
        int(i): html
        for i, html in re.findall(r'<li class="card" id="task-(\d+)"(.*?)</li>', page, re.S)
    }
    assert "medium" not in cards[plain].lower() and 'class="chip' not in cards[plain]
    assert (
        '<span class="chip priority-high">High<span class="visually-hidden"> priority</span>'
        in cards[urgent]
    )
    assert ">Overdue</span>" in cards[urgent] and 'data-due="overdue"' in cards[urgent]
    assert 'role="img" aria-label="Assigned to bob" title="bob">B</span>' in cards[urgent]
    assert 'chip priority-low">Low' in cards[later] and ">Due</span>" in cards[later]
    assert "overdue" not in cards[later]

    diff = alice.post(f"/tasks/{urgent}/move", {"direction": "right"}, htmx=True)
    html = diff.get_data(as_text=True)
    assert 'data-op="card"' in html and "chip priority-high" in html
    assert 'aria-label="Assigned to bob"' in html and "Overdue" in html
    assert f'data-focus="task-{urgent}-link"' in html


def test_a_card_counts_its_comments_live(new_page, board_with_task, app):
    """A comment's post and delete change its card's count for everyone with the board open
    (a card diff, as any change of the card); without comments the card shows no count."""
    board_id, task_id, _ = board_with_task
    alice, bob = new_page(), new_page()
    for page, name in ((alice, "alice"), (bob, "bob")):
        browser_login(page, name)
    open_board(bob, board_id)
    count = bob.locator(f"#task-{task_id} .card-comments")
    expect(count).to_have_count(0)

    alice.goto(f"/tasks/{task_id}")
    expect_socket_open(alice)
    box = alice.get_by_label("Add a comment (press / to jump here)")
    for text in ("One", "Two"):
        box.fill(text)
        box.press("Enter")
        expect(box).to_have_value("")
    expect(count).to_have_text("2 comments")
    alice.once("dialog", lambda dialog: dialog.accept())
    alice.locator(".comment").first.hover()
    alice.locator(".comment").first.get_by_role("link", name="Delete").click()
    expect(count).to_have_text("1 comment")
    bob.reload()  # the page as rendered agrees with the live one
    expect(count).to_have_text("1 comment")
