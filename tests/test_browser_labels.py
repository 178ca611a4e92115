"""Labels and the board filter in real browsers (issue 23): two users in Chromium, one of
them filtering, the other changing the board; and the filter without JavaScript."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from taskflow.extensions import db
from taskflow.models import Board, Label, Task, User
from taskflow.models.label import task_labels

from .conftest import expect_settled, expect_socket_open


def seed(app, board_id: int, todo: int) -> dict[str, int]:
    """Two more tasks in To Do, a "bug" label on "Fix crash"; returns the tasks' ids."""
    with app.app_context():
        alice = User.by_username("alice")
        fix = Task(column_id=todo, title="Fix crash", position=1, created_by=alice)
        polish = Task(column_id=todo, title="Polish", position=2, created_by=alice)
        bug = Label(board_id=board_id, name="bug", colour="red")
        db.session.add_all([fix, polish, bug])
        db.session.flush()
        db.session.execute(task_labels.insert().values(task_id=fix.id, label_id=bug.id))
        db.session.commit()
        ids = {"fix": fix.id, "polish": polish.id, "bug": bug.id}
        db.session.remove()
    return ids


def board_version(app, board_id: int) -> str:
    with app.app_context():
        version = Board.current_version(board_id)
        db.session.remove()
    return str(version)


def test_a_filter_stays_applied_while_the_board_changes_live(app, new_page, board_with_task):
    board_id, _ship, (todo, doing, _done) = board_with_task
    ids = seed(app, board_id, todo)
    alice, bob = new_page("alice"), new_page("bob")
    alice.goto(f"/boards/{board_id}")
    alice.get_by_label("Filter", exact=True).fill("label:bug")
    alice.get_by_label("Filter", exact=True).press("Enter")
    expect(alice).to_have_url(re.compile(r"\?q=label%3Abug$"))
    expect_socket_open(alice)
    cards = alice.locator("#kanban .card-title")
    expect(cards).to_have_text(["Fix crash"])
    expect(alice.locator("#filter-status")).to_contain_text("1 card matches")

    # B gives "Polish" the label (the task page's popup): A's page shows it, filtered.
    bob.goto(f"/tasks/{ids['polish']}")
    expect_socket_open(bob)
    bob.get_by_role("link", name="Edit labels").click()
    bob.get_by_role("checkbox", name="bug").check()
    bob.get_by_role("button", name="Save labels").click()
    expect(bob.locator(".task-labels .chip")).to_have_text(["bug"])
    expect(cards).to_have_text(["Fix crash", "Polish"])
    expect(alice.locator("#filter-status")).to_contain_text("2 cards match")

    # B moves "Fix crash" on and adds a card that does not match, on the live board.
    bob.goto(f"/boards/{board_id}")
    expect_socket_open(bob)
    bob.locator(f"#task-{ids['fix']}-link").focus()
    bob.keyboard.press("Alt+Shift+ArrowRight")
    in_progress = alice.locator(f"#column-{doing}")
    expect(in_progress.locator(".card-title")).to_have_text(["Fix crash"])
    bob.get_by_label("New task in To Do").fill("Unrelated")
    bob.get_by_label("New task in To Do").press("Enter")
    expect(bob.locator("#kanban .card-title", has_text="Unrelated")).to_have_count(1)
    # A's page has caught up with that very change, and shows exactly what matches.
    expect(alice.locator("#kanban")).to_have_attribute("data-version", board_version(app, board_id))
    expect(cards).to_have_text(["Polish", "Fix crash"])
    expect(alice.locator(f"#column-{todo}-count")).to_have_text("1")
    expect(alice.get_by_label("Filter", exact=True)).to_have_value("label:bug")
    expect(alice).to_have_url(re.compile(r"\?q=label%3Abug$"))
    # "Clear" shows the whole board again, live as ever.
    alice.get_by_role("link", name="Clear").click()
    expect(cards).to_have_count(4)


def test_label_changes_reach_the_other_members_cards_live(app, new_page, board_with_task):
    board_id, ship, (todo, _doing, _done) = board_with_task
    ids = seed(app, board_id, todo)
    alice, bob = new_page("alice"), new_page("bob")
    alice.goto(f"/boards/{board_id}")
    expect_socket_open(alice)
    chips = alice.locator(f"#task-{ids['fix']} .card-labels .chip")
    expect(chips).to_have_text(["Label bug"])

    bob.goto(f"/boards/{board_id}")
    bob.get_by_role("link", name="Labels").click()
    expect(bob.get_by_role("heading", name="Labels of Launch")).to_be_visible()
    bob.get_by_label("Label name").fill("needs review")
    bob.get_by_label("Colour", exact=True).select_option("purple")
    bob.get_by_role("button", name="Add label").click()
    expect(bob.locator("#labels .label-row .chip")).to_have_text(["bug", "needs review"])
    # Rename and recolour "bug": A's card says so at once (and only its card changed).
    bug = ids["bug"]
    bob.locator(f"#label-{bug}-name").fill("defect")
    bob.locator(f"#label-{bug}-colour").select_option("blue")
    bob.locator(f"#label-{bug}-save").click()
    expect(chips).to_have_text(["Label defect"])
    expect(chips).to_have_class(re.compile(r"label-blue"))
    expect(alice.locator(f"#task-{ship} .card-labels")).to_have_count(0)
    # A labels "Ship it" from its task page (htmx popup); B's labels page is not involved.
    alice.goto(f"/tasks/{ship}")
    expect_socket_open(alice)
    alice.get_by_role("link", name="Edit labels").click()
    alice.get_by_role("checkbox", name="needs review").check()
    alice.get_by_role("checkbox", name="defect").check()
    alice.get_by_role("button", name="Save labels").click()
    expect(alice.locator(".task-labels .chip")).to_have_text(["defect", "needs review"])
    alice.goto(f"/boards/{board_id}")
    expect_socket_open(alice)
    expect(alice.locator(f"#task-{ship} .card-labels .chip")).to_have_text(
        ["Label defect", "Label needs review"]
    )
    # B deletes "defect": it goes from both cards on A's board.
    bob.once("dialog", lambda dialog: dialog.accept())
    bob.locator(f"#label-{bug}-delete").click()
    expect(bob.locator("#labels .label-row .chip")).to_have_text(["needs review"])
    expect(alice.locator(f"#task-{ship} .card-labels .chip")).to_have_text(["Label needs review"])
    expect(alice.locator(f"#task-{ids['fix']} .card-labels")).to_have_count(0)
    with app.app_context():
        left = db.session.scalars(select(task_labels.c.label_id)).all()
        assert bug not in left
        db.session.remove()


def test_without_javascript_the_filter_is_a_get_form(app, no_js, board_with_task):
    board_id, _ship, (todo, _doing, _done) = board_with_task
    ids = seed(app, board_id, todo)
    page = no_js("alice")
    page.goto(f"/boards/{board_id}")
    page.get_by_label("Filter", exact=True).fill('label:"BUG"')
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?q=label%3A%22BUG%22$"))
    expect(page.locator("#kanban .card-title")).to_have_text(["Fix crash"])
    page.get_by_label("Filter", exact=True).fill("due:someday")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.locator("#board-filter-error")).to_contain_text("Due is one of")
    # Labels without JavaScript: the task's form is a page, back to the task.
    page.goto(f"/tasks/{ids['polish']}")
    page.get_by_role("link", name="Edit labels").click()
    expect(page).to_have_url(re.compile(rf"/tasks/{ids['polish']}/labels$"))
    page.get_by_role("checkbox", name="bug").check()
    page.get_by_role("button", name="Save labels").click()
    expect(page).to_have_url(re.compile(rf"/tasks/{ids['polish']}$"))
    expect(page.locator(".task-labels .chip")).to_have_text(["bug"])
    expect_settled(page)
