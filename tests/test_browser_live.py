"""Two users in real Chromium: live comments, and a live, converging kanban."""

from playwright.sync_api import expect

from taskflow.extensions import db
from taskflow.models import Task

from .conftest import browser_login, expect_settled, expect_socket_open, wait_until
from .helpers import seed_tasks


def open_live(page, path: str) -> None:
    page.goto(path)
    expect_socket_open(page)


def both_open(new_page, path: str):
    """alice and bob, each in a browser of their own, with `path` open and live."""
    pages = new_page(), new_page()
    for page, name in zip(pages, ("alice", "bob"), strict=True):
        browser_login(page, name)
        open_live(page, path)
    return pages


def test_comments_appear_edit_and_disappear_live(new_page, board_with_task):
    _, task_id, _ = board_with_task
    alice, bob = both_open(new_page, f"/tasks/{task_id}")

    box = bob.get_by_label("Add a comment (press / to jump here)")
    box.fill("Shipping <today>")
    box.press("Enter")
    expect(alice.locator(".comment .message-body")).to_have_text(["Shipping <today>"])
    expect(box).to_have_value("")
    expect(bob.locator(".comment")).to_have_count(1)  # once, though it came twice

    # Only the author sees "Edit"; the board owner (alice) may delete it (a comment's actions
    # show on hover and keyboard focus).
    alice.locator(".comment").hover()
    expect(alice.locator(".comment").get_by_role("link", name="Edit")).to_be_hidden()
    expect(alice.locator(".comment").get_by_role("link", name="Delete")).to_be_visible()
    bob.locator(".comment").hover()
    bob.locator(".comment").get_by_role("link", name="Edit").click()
    editor = bob.get_by_label("Edit comment")
    expect(editor).to_be_focused()
    editor.fill("Shipping tomorrow")
    editor.press("Enter")
    expect(alice.locator(".comment .message-body")).to_have_text(["Shipping tomorrow"])
    expect(alice.locator(".comment .edited")).to_have_text("(edited)")

    alice.once("dialog", lambda dialog: dialog.accept())
    alice.locator(".comment").hover()
    alice.locator(".comment").get_by_role("link", name="Delete").click()
    expect(bob.locator(".comment")).to_have_count(0)
    expect(alice.locator(".comment")).to_have_count(0)


def move(page, task_id: int, direction: str) -> None:
    """Alt+Shift+arrow on the card (static/js/card_keys.js), as a user does."""
    page.locator(f"#task-{task_id}-link").press(f"Alt+Shift+Arrow{direction.capitalize()}")


def move_now(page, task_id: int, direction: str) -> None:
    """The same key, dispatched: it waits for nothing (two pages pressing at one moment)."""
    key = {"key": f"Arrow{direction.capitalize()}", "altKey": True, "shiftKey": True}
    page.locator(f"#task-{task_id}-link").dispatch_event("keydown", key)


def cards(page, column: str):
    return page.locator(".column", has=page.get_by_role("heading", name=column)).locator(
        ".card-title"
    )


def test_a_card_moved_by_one_moves_on_the_others_board(new_page, board_with_task):
    board_id, task_id, _ = board_with_task
    alice, bob = both_open(new_page, f"/boards/{board_id}")

    move(alice, task_id, "right")
    expect(cards(bob, "In Progress")).to_have_text(["Ship it"])
    expect(cards(bob, "To Do")).to_have_count(0)

    # bob was typing a new task when alice's change arrived: his text and focus survive.
    bob.get_by_label("New task in Done").fill("half-typ")
    bob.get_by_label("New task in Done").press_sequentially("ed")
    expect_settled(alice)  # her first move's kanban is htmx-enabled again
    move(alice, task_id, "right")
    expect(cards(bob, "Done")).to_have_text(["Ship it"])
    expect(bob.get_by_label("New task in Done")).to_have_value("half-typed")
    expect(bob.get_by_label("New task in Done")).to_be_focused()
    expect_settled(bob)
    bob.get_by_label("New task in Done").press("Enter")
    expect(cards(alice, "Done")).to_have_text(["Ship it", "half-typed"])


def test_a_concurrent_move_converges(new_page, board_with_task, app):
    board_id, task_id, _ = board_with_task
    alice, bob = both_open(new_page, f"/boards/{board_id}")
    move(alice, task_id, "right")
    expect(cards(bob, "In Progress")).to_have_text(["Ship it"])

    for page in (alice, bob):
        expect_settled(page)
    # Both press at the same moment (a dispatched click waits for nothing): alice moves it
    # right, bob moves it left.
    move_now(alice, task_id, "right")
    move_now(bob, task_id, "left")

    from taskflow.boards.live import kanban_html

    def both_moves_saved() -> bool:
        with app.test_request_context():
            try:
                return 'data-version="3"' in kanban_html(board_id)
            finally:
                db.session.remove()

    wait_until(both_moves_saved, message="both moves did not reach the database")
    with app.app_context():
        column = db.session.get(Task, task_id).column.name
        db.session.remove()
    for page in (alice, bob):
        expect(page.locator("#kanban")).to_have_attribute("data-version", "3")
    texts = [page.locator("#kanban").inner_text() for page in (alice, bob)]
    assert texts[0] == texts[1]
    assert alice.locator(".card").count() == bob.locator(".card").count() == 1
    for page in (alice, bob):
        expect(cards(page, column)).to_have_text(["Ship it"])


def test_a_card_dragged_onto_another_column_lands_where_dropped(new_page, board_with_task, app):
    """Drag and drop (app.js): the move URL comes from the card's markup, the position from
    where the card is dropped: above the upper half of a card puts it first."""
    board_id, task_id, columns = board_with_task
    with app.app_context():
        db.session.add(Task(column_id=columns[1], title="Already there", position=0))
        db.session.commit()
        db.session.remove()
    alice, bob = both_open(new_page, f"/boards/{board_id}")
    expect(cards(alice, "In Progress")).to_have_text(["Already there"])

    target = alice.locator(".column", has=alice.get_by_role("heading", name="In Progress"))
    alice.locator(f"#task-{task_id}").drag_to(
        target.locator(".card").first, target_position={"x": 10, "y": 2}
    )
    for page in (alice, bob):
        expect(cards(page, "In Progress")).to_have_text(["Ship it", "Already there"])
        expect(cards(page, "To Do")).to_have_count(0)


def titles_in(app, column_id: int) -> list[str]:
    """The column's task titles in order, as the database holds them."""
    from sqlalchemy import select

    with app.app_context():
        query = select(Task.title).where(Task.column_id == column_id).order_by(Task.position)
        titles = list(db.session.scalars(query))
        db.session.remove()
    return titles


def board_version(app, board_id: int) -> int:
    from taskflow.models import Board

    with app.app_context():
        version = Board.current_version(board_id)
        db.session.remove()
    return version


def test_show_more_loads_the_rest_on_scroll_and_on_click(new_page, board_with_task, app):
    board_id, _, (todo, *_) = board_with_task
    seed_tasks(app, todo, 100)  # 101 cards: 30 shown
    (page,) = (new_page(),)
    browser_login(page, "alice")
    open_live(page, f"/boards/{board_id}")
    cards_of = page.locator(f"#column-{todo}-cards > li")
    expect(cards_of).to_have_count(30)
    more = page.locator(f"#column-{todo}-more")
    expect(more).to_have_text("Show 71 more")
    more.scroll_into_view_if_needed()  # revealed: the next 50 come
    expect(cards_of).to_have_count(80)
    expect(more).to_have_text("Show 21 more")
    # A click without scrolling it into view first: scrolling would reveal it, and the
    # "intersect" trigger could load the rest before the click lands (then nothing to click).
    more.dispatch_event("click")
    expect(cards_of).to_have_count(101)
    expect(more).to_be_hidden()
    expect(page.locator(f"#column-{todo}-cards .card-title")).to_have_text(titles_in(app, todo))


def test_concurrent_moves_converge_on_cards_beyond_the_window(new_page, board_with_task, app):
    """alice shows To Do's first 30 cards, bob all of them; at the same moment alice moves
    the first card and bob one that alice's page does not show: both pages end with what
    the database holds (each column's first cards in order, and its count)."""
    board_id, task_id, (todo, doing, _) = board_with_task
    hidden = seed_tasks(app, todo, 60)[40]  # at position 41: beyond alice's window
    alice, bob = both_open(new_page, f"/boards/{board_id}")
    bob.locator(f"#column-{todo}-more").click()
    expect(bob.locator(f"#column-{todo}-cards > li")).to_have_count(61)
    start = board_version(app, board_id)
    for page in (alice, bob):
        expect_settled(page)

    move_now(alice, task_id, "right")
    move_now(bob, hidden, "right")

    wait_until(lambda: board_version(app, board_id) == start + 2, message="moves not saved")
    todo_titles, doing_titles = titles_in(app, todo), titles_in(app, doing)
    assert len(todo_titles) == 59 and len(doing_titles) == 2
    for page, shown in ((alice, 29), (bob, 59)):
        expect(page.locator("#kanban")).to_have_attribute("data-version", str(start + 2))
        expect(cards(page, "In Progress")).to_have_text(doing_titles)
        expect(cards(page, "To Do")).to_have_text(todo_titles[:shown])
        expect(page.locator(f"#column-{todo}-count")).to_have_text("59")
    expect(alice.locator(f"#column-{todo}-more")).to_have_text("Show 30 more")
    expect(bob.locator(f"#column-{todo}-more")).to_be_hidden()


def test_a_page_that_missed_a_change_fetches_the_board_afresh(new_page, board_with_task, app):
    """A change whose diff the page never got (here: saved without a broadcast) leaves a
    gap; the next diff shows it, and the page fetches the kanban instead of skipping it."""
    from sqlalchemy import update

    from taskflow.models import Board

    board_id, task_id, _ = board_with_task
    alice, bob = both_open(new_page, f"/boards/{board_id}")
    start = board_version(app, board_id)
    with app.app_context():  # the lost change
        db.session.execute(update(Board).where(Board.id == board_id).values(version=start + 1))
        db.session.get(Task, task_id).title = "Renamed quietly"
        db.session.commit()
        db.session.remove()
    expect_settled(bob)
    move(bob, task_id, "right")  # the next change: version start + 2
    for page in (alice, bob):
        expect(page.locator("#kanban")).to_have_attribute("data-version", str(start + 2))
        expect(cards(page, "In Progress")).to_have_text(["Renamed quietly"])
        expect(cards(page, "To Do")).to_have_count(0)
