"""Labels (issue 23): a board's labels page, a task's labels, the cards that show them, live
diffs of the cards a label change touches, bounds, CSRF and access."""

import re

from sqlalchemy import select

from taskflow.boards import label_service
from taskflow.extensions import db
from taskflow.models import Label
from taskflow.models.label import PER_BOARD, task_labels

from .helpers import add_member, columns, create_board, create_task


def label_id(app, board_id: int, name: str) -> int:
    with app.app_context():
        found = Label.named(board_id, name)
        db.session.remove()
        return found.id


def carried(app, task: int) -> set[str]:
    with app.app_context():
        query = (
            select(Label.name)
            .join(task_labels, task_labels.c.label_id == Label.id)
            .where(task_labels.c.task_id == task)
        )
        names = set(db.session.scalars(query))
        db.session.remove()
        return names


def add_label(client, board_id: int, name: str, colour: str = "red", **kw):
    return client.post(f"/boards/{board_id}/labels", {"name": name, "colour": colour}, **kw)


def a_board(app, login):
    alice = login("alice")
    board_id = create_board(alice)
    todo = columns(app, board_id)[0][0]
    return alice, board_id, todo


def test_labels_page_adds_renames_recolours_and_deletes(app, login):
    alice, board_id, todo = a_board(app, login)
    assert alice.get(f"/boards/{board_id}/labels").status_code == 200
    response = add_label(alice, board_id, "bug")
    assert response.status_code == 302 and response.location.endswith(f"/boards/{board_id}/labels")
    # Unique per board whatever its case; a name is required and bounded; colours from the palette.
    assert add_label(alice, board_id, "BUG").status_code == 422
    assert "already has a label" in add_label(alice, board_id, "Bug").get_data(True)
    assert add_label(alice, board_id, "").status_code == 422
    assert add_label(alice, board_id, "x" * 31).status_code == 422
    assert add_label(alice, board_id, "ok", colour="#ff0000").status_code == 422
    bug = label_id(app, board_id, "bug")
    response = alice.post(
        f"/labels/{bug}/edit", {f"label-{bug}-name": "Defect", f"label-{bug}-colour": "blue"}
    )
    assert response.status_code == 302
    page = alice.get(f"/boards/{board_id}/labels").get_data(True)
    assert 'class="chip label label-blue">Defect<' in page
    add_label(alice, board_id, "docs", "green")
    docs = label_id(app, board_id, "docs")
    response = alice.post(
        f"/labels/{docs}/edit", {f"label-{docs}-name": "DEFECT", f"label-{docs}-colour": "green"}
    )
    assert response.status_code == 422 and "already has a label" in response.get_data(True)
    assert alice.post(f"/labels/{docs}/delete").status_code == 302
    assert "docs" not in alice.get(f"/boards/{board_id}/labels").get_data(True)


def test_htmx_answers_the_list(app, login):
    alice, board_id, _todo = a_board(app, login)
    response = add_label(alice, board_id, "bug", htmx=True)
    body = response.get_data(True)
    assert response.status_code == 200 and body.lstrip().startswith("{") is False
    assert 'id="labels"' in body and "<html" not in body and ">bug<" in body
    response = add_label(alice, board_id, "BUG", htmx=True)
    assert response.status_code == 422 and 'id="labels"' in response.get_data(True)


def test_task_labels_form_sets_them_and_the_card_shows_names(app, login):
    alice, board_id, todo = a_board(app, login)
    task = create_task(alice, todo, "Crash on save")
    add_label(alice, board_id, "bug")
    add_label(alice, board_id, "needs review", "purple")
    bug, review = label_id(app, board_id, "bug"), label_id(app, board_id, "needs review")
    form = alice.get(f"/tasks/{task}/labels").get_data(True)
    assert f'value="{bug}"' in form and f'value="{review}"' in form and "<html" in form
    assert "<html" not in alice.get(f"/tasks/{task}/labels", htmx=True).get_data(True)
    response = alice.post(f"/tasks/{task}/labels", {"label_ids": [str(bug), str(review)]})
    assert response.status_code == 302 and response.location.endswith(f"/tasks/{task}")
    assert carried(app, task) == {"bug", "needs review"}
    board = alice.get(f"/boards/{board_id}").get_data(True)
    card = board[board.index(f'id="task-{task}"') :]
    card = card[: card.index("</li>")]
    assert "label-red" in card and ">bug</span>" in card and ">needs review</span>" in card
    detail = alice.get(f"/tasks/{task}").get_data(True)
    assert ">needs review<" in detail and f"/tasks/{task}/labels" in detail
    # htmx: the task's details come back; unchecking all takes them off.
    response = alice.post(f"/tasks/{task}/labels", {}, htmx=True)
    assert response.status_code == 200 and f'id="task-detail-{task}"' in response.get_data(True)
    assert carried(app, task) == set()


def test_labels_of_another_board_are_no_choice_and_bad_ids_are_400(app, login):
    alice, board_id, todo = a_board(app, login)
    task = create_task(alice, todo, "T")
    other = create_board(alice, "Other")
    add_label(alice, other, "elsewhere")
    elsewhere = label_id(app, other, "elsewhere")
    assert alice.post(f"/tasks/{task}/labels", {"label_ids": [str(elsewhere)]}).status_code == 302
    assert carried(app, task) == set()
    assert alice.post(f"/tasks/{task}/labels", {"label_ids": ["x"]}).status_code == 400
    assert alice.post(f"/tasks/{task}/labels", {"label_ids": ["9" * 40]}).status_code == 400
    many = [str(i) for i in range(PER_BOARD + 1)]
    assert alice.post(f"/tasks/{task}/labels", {"label_ids": many}).status_code == 400


def test_a_board_holds_at_most_its_bound_of_labels(app, login):
    alice, board_id, _todo = a_board(app, login)
    with app.app_context():
        db.session.add_all(Label(board_id=board_id, name=f"l{i}") for i in range(PER_BOARD))
        db.session.commit()
        db.session.remove()
    response = add_label(alice, board_id, "one more")
    assert response.status_code == 422 and "the most it may have" in response.get_data(True)
    page = alice.get(f"/boards/{board_id}/labels").get_data(True)
    assert 'id="label-add"' not in page and "the most it may have" in page


def test_label_changes_need_csrf(app, login):
    alice, board_id, todo = a_board(app, login)
    task = create_task(alice, todo, "T")
    assert add_label(alice, board_id, "bug", csrf=False).status_code == 400
    add_label(alice, board_id, "bug")
    bug = label_id(app, board_id, "bug")
    assert alice.post(f"/labels/{bug}/delete", csrf=False).status_code == 400
    data = {f"label-{bug}-name": "x", f"label-{bug}-colour": "red"}
    assert alice.post(f"/labels/{bug}/edit", data, csrf=False).status_code == 400
    assert (
        alice.post(f"/tasks/{task}/labels", {"label_ids": [str(bug)]}, csrf=False).status_code
        == 400
    )
    assert carried(app, task) == set()


def test_a_non_member_gets_404_and_any_member_may_edit(app, login):
    alice, board_id, todo = a_board(app, login)
    task = create_task(alice, todo, "T")
    add_label(alice, board_id, "bug")
    bug = label_id(app, board_id, "bug")
    mallory = login("mallory")
    assert mallory.get(f"/boards/{board_id}/labels").status_code == 404
    assert add_label(mallory, board_id, "evil").status_code == 404
    data = {f"label-{bug}-name": "evil", f"label-{bug}-colour": "red"}
    assert mallory.post(f"/labels/{bug}/edit", data).status_code == 404
    assert mallory.post(f"/labels/{bug}/delete").status_code == 404
    assert mallory.get(f"/tasks/{task}/labels").status_code == 404
    assert mallory.post(f"/tasks/{task}/labels", {"label_ids": [str(bug)]}).status_code == 404
    bob = login("bob")
    add_member(alice, board_id, "bob", bob)
    assert bob.post(f"/labels/{bug}/edit", {**data, f"label-{bug}-name": "Bug!"}).status_code == 302
    assert bob.post(f"/tasks/{task}/labels", {"label_ids": [str(bug)]}).status_code == 302
    assert carried(app, task) == {"Bug!"}


def test_a_rename_or_delete_sends_only_the_cards_that_carry_it(app, login):
    alice, board_id, todo = a_board(app, login)
    tagged = create_task(alice, todo, "Tagged")
    plain = create_task(alice, todo, "Plain")
    add_label(alice, board_id, "bug")
    bug = label_id(app, board_id, "bug")
    alice.post(f"/tasks/{tagged}/labels", {"label_ids": [str(bug)]})
    data = {f"label-{bug}-name": "defect", f"label-{bug}-colour": "teal"}
    response = alice.post(f"/labels/{bug}/edit", data)
    assert response.status_code == 302
    board = alice.get(f"/boards/{board_id}").get_data(True)
    assert ">defect</span>" in board and "label-teal" in board
    # The diff the board's viewers get: the cards carrying the label, and only those.
    with app.test_request_context():
        label = db.session.get(Label, bug)
        change = label_service.edit_label(label, "defect", "red")
        frame = change.ops
        ids = set(re.findall(r'<li class="card" id="task-(\d+)"', frame))
        assert ids == {str(tagged)} and str(plain) not in ids
        change = label_service.delete_label(db.session.get(Label, bug))
        ids = set(re.findall(r'<li class="card" id="task-(\d+)"', change.ops))
        assert ids == {str(tagged)} and ">defect<" not in change.ops
        db.session.remove()
    assert carried(app, tagged) == set()


def test_cards_load_their_labels_without_a_query_per_card(app, login):
    """The board page reads every shown card's labels in one query: the same statements for
    3 labelled cards as for 30; and a label's name is escaped wherever it shows."""
    from .helpers import seed_tasks
    from .test_room_bounds import counted_queries

    alice, board_id, todo = a_board(app, login)
    add_label(alice, board_id, "<b>bug</b>")
    add_label(alice, board_id, "docs", "green")
    with app.app_context():
        labels = Label.of_board(board_id)
        db.session.remove()
    costs = []
    for count in (3, 27):
        for task in seed_tasks(app, todo, count):
            rows = [{"task_id": task, "label_id": label.id} for label in labels]
            with app.app_context():
                db.session.execute(task_labels.insert(), rows)
                db.session.commit()
                db.session.remove()
        alice.get(f"/boards/{board_id}")
        with counted_queries(app) as statements:
            page = alice.get(f"/boards/{board_id}").get_data(True)
        costs.append(len(statements))
    assert page.count("&lt;b&gt;bug&lt;/b&gt;</span>") == 30 and "<b>bug</b>" not in page
    assert costs[0] == costs[1], costs
