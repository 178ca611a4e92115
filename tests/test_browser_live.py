"""Two users in real Chromium: live comments, and a live, converging kanban."""

from playwright.sync_api import expect

from taskflow.extensions import db
from taskflow.models import Task

from .conftest import browser_login, expect_settled, expect_socket_open, wait_until


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

    # Only the author sees "Edit"; the board owner (alice) may delete it.
    expect(alice.locator(".comment").get_by_role("link", name="Edit")).to_be_hidden()
    expect(alice.locator(".comment").get_by_role("link", name="Delete")).to_be_visible()
    bob.locator(".comment").get_by_role("link", name="Edit").click()
    editor = bob.get_by_label("Edit comment")
    expect(editor).to_be_focused()
    editor.fill("Shipping tomorrow")
    editor.press("Enter")
    expect(alice.locator(".comment .message-body")).to_have_text(["Shipping tomorrow"])
    expect(alice.locator(".comment .edited")).to_have_text("(edited)")

    alice.once("dialog", lambda dialog: dialog.accept())
    alice.locator(".comment").get_by_role("link", name="Delete").click()
    expect(bob.locator(".comment")).to_have_count(0)
    expect(alice.locator(".comment")).to_have_count(0)


def cards(page, column: str):
    return page.locator(".column", has=page.get_by_role("heading", name=column)).locator(
        ".card-title"
    )


def test_a_card_moved_by_one_moves_on_the_others_board(new_page, board_with_task):
    board_id, task_id, _ = board_with_task
    alice, bob = both_open(new_page, f"/boards/{board_id}")

    alice.locator(f"#task-{task_id}-right").click()
    expect(cards(bob, "In Progress")).to_have_text(["Ship it"])
    expect(cards(bob, "To Do")).to_have_count(0)

    # bob was typing a new task when alice's change arrived: his text and focus survive.
    bob.get_by_label("New task in Done").fill("half-typ")
    bob.get_by_label("New task in Done").press_sequentially("ed")
    expect_settled(alice)  # her first move's kanban is htmx-enabled again
    alice.locator(f"#task-{task_id}-right").click()
    expect(cards(bob, "Done")).to_have_text(["Ship it"])
    expect(bob.get_by_label("New task in Done")).to_have_value("half-typed")
    expect(bob.get_by_label("New task in Done")).to_be_focused()
    expect_settled(bob)
    bob.get_by_label("New task in Done").press("Enter")
    expect(cards(alice, "Done")).to_have_text(["Ship it", "half-typed"])


def test_a_concurrent_move_converges(new_page, board_with_task, app):
    board_id, task_id, _ = board_with_task
    alice, bob = both_open(new_page, f"/boards/{board_id}")
    alice.locator(f"#task-{task_id}-right").click()
    expect(cards(bob, "In Progress")).to_have_text(["Ship it"])

    for page in (alice, bob):
        expect_settled(page)
    # Both press at the same moment (a dispatched click waits for nothing): alice moves it
    # right, bob moves it left.
    alice.locator(f"#task-{task_id}-right").dispatch_event("click")
    bob.locator(f"#task-{task_id}-left").dispatch_event("click")

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
