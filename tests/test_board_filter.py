"""The board filter (issue 23): `?q=` parsed on the server (boards/filter.py), applied in SQL
to the kanban's cards and counts, kept in the URL and its links, a GET form without
JavaScript, and bad terms answered with a message instead of a 500."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from taskflow import timezones
from taskflow.boards import filter as board_filter
from taskflow.boards.filter import BadFilter, parse
from taskflow.extensions import db
from taskflow.models import Label, Task, User

from .helpers import add_member, columns, create_board, create_task

TODAY = date(2026, 12, 7)


def ids_shown(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'<li class="card" id="task-(\d+)"', html)}


def matched(app, text: str, board_id: int, viewer_id: int, today: date = TODAY) -> set[str]:
    """The titles of the board's tasks that the filter keeps, straight from SQL."""
    with app.app_context():
        found = parse(text, board_id, viewer_id, today)
        titles = set(db.session.scalars(select(Task.title).where(*found.conditions)))
        db.session.remove()
        return titles


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("colour:red", "“colour:” is not a filter"),
        ("due:someday", "Due is one of overdue, today, week, none"),
        ("priority:huge", "Priority is one of low, medium, high, urgent"),
        ('label:"needs review', "A quote is not closed"),
        ("label:", "“label:” needs a value"),
        ("x" * 201, "at most 200 characters"),
        (" ".join(["a"] * 11), "at most 10 terms"),
    ],
)
def test_bad_terms_say_why(text, says):
    with pytest.raises(BadFilter) as bad:
        parse(text, 1, 1, TODAY)
    assert says in str(bad.value)


def test_terms_parse_into_one_condition_each():
    assert not parse("", 1, 1, TODAY) and not parse("   ", 1, 1, TODAY)
    found = parse('label:"needs review" assignee:me  fix due:week priority:HIGH', 1, 1, TODAY)
    assert len(found.conditions) == 5 and found.text.startswith("label:")
    # A quoted phrase alone is words of a title, colons and all; an unknown key with a
    # non-word prefix too (a URL's "https:").
    assert len(parse('"Fix: login" https://x', 1, 1, TODAY).conditions) == 2
    assert board_filter.QUERY_MAX == 200


def board(app, login):
    """alice's board: tasks with labels, assignees, due dates and priorities."""
    alice = login("alice")
    bob = login("bob")
    board_id = create_board(alice)
    add_member(alice, board_id, "bob", bob)
    todo, doing = (c[0] for c in columns(app, board_id)[:2])
    with app.app_context():
        ids = {u.username: u.id for u in db.session.scalars(select(User))}
        db.session.remove()
    tasks = {
        "Crash on save": create_task(
            alice, todo, "Crash on save", priority="high", assignee_id=ids["alice"]
        ),
        "Review the 100% plan": create_task(
            alice, todo, "Review the 100% plan", assignee_id=ids["bob"]
        ),
        "Write docs": create_task(alice, doing, "Write docs"),
        "Crash on load": create_task(alice, doing, "Crash on load", priority="urgent"),
    }
    for name, colour in (("bug", "red"), ("needs review", "purple")):
        alice.post(f"/boards/{board_id}/labels", {"name": name, "colour": colour})
    with app.app_context():
        labels = {label.name: label.id for label in Label.of_board(board_id)}
        db.session.remove()
    alice.post(f"/tasks/{tasks['Crash on save']}/labels", {"label_ids": [str(labels["bug"])]})
    alice.post(f"/tasks/{tasks['Crash on load']}/labels", {"label_ids": [str(labels["bug"])]})
    both = [str(labels["bug"]), str(labels["needs review"])]
    alice.post(f"/tasks/{tasks['Review the 100% plan']}/labels", {"label_ids": both})
    return alice, bob, board_id, tasks, ids


def test_each_term_and_their_conjunction(app, login):
    alice, _bob, board_id, tasks, ids = board(app, login)
    with app.app_context():
        due = {
            "Crash on save": TODAY - timedelta(days=1),
            "Write docs": TODAY,
            "Crash on load": TODAY + timedelta(days=6),
        }
        for title, day in due.items():
            db.session.execute(update(Task).where(Task.title == title).values(due_date=day))
        db.session.commit()
        db.session.remove()
    me = ids["alice"]
    assert matched(app, "label:bug", board_id, me) == {
        "Crash on save",
        "Crash on load",
        "Review the 100% plan",
    }
    assert matched(app, 'label:"Needs Review"', board_id, me) == {"Review the 100% plan"}
    assert matched(app, "label:nothing", board_id, me) == set()
    assert matched(app, "assignee:me", board_id, me) == {"Crash on save"}
    assert matched(app, "assignee:@BOB", board_id, me) == {"Review the 100% plan"}
    assert matched(app, "assignee:none", board_id, me) == {"Write docs", "Crash on load"}
    assert matched(app, "due:overdue", board_id, me) == {"Crash on save"}
    assert matched(app, "due:today", board_id, me) == {"Write docs"}
    assert matched(app, "due:week", board_id, me) == {"Write docs", "Crash on load"}
    assert matched(app, "due:none", board_id, me) == {"Review the 100% plan"}
    assert matched(app, "priority:high", board_id, me) == {"Crash on save"}
    assert matched(app, "crash", board_id, me) == {"Crash on save", "Crash on load"}
    assert matched(app, "100%", board_id, me) == {"Review the 100% plan"}  # % is no wildcard
    assert matched(app, "label:bug crash priority:urgent", board_id, me) == {"Crash on load"}
    # Another board's label of that name does not count.
    other = create_board(alice, "Other")
    alice.post(f"/boards/{other}/labels", {"name": "docs", "colour": "red"})
    assert matched(app, "label:docs", board_id, me) == set()


def test_the_page_filters_counts_and_keeps_the_query(app, login):
    alice, _bob, board_id, tasks, _ids = board(app, login)
    page = alice.get(f"/boards/{board_id}?q=label:bug+crash").get_data(True)
    assert ids_shown(page) == {tasks["Crash on save"], tasks["Crash on load"]}
    assert "2 cards match" in page and 'data-q="label:bug crash"' in page
    assert f'href="/boards/{board_id}">Clear</a>' in page
    counts = dict(re.findall(r'id="column-(\d+)-count" data-count="(\d+)"', page))
    assert sorted(counts.values()) == ["0", "1", "1"]  # each column counts what matches
    assert 'value="label:bug crash"' in page  # the input keeps it
    assert "q=label:bug+crash" in page  # so do the kanban's links (Show more, refetch)
    # For htmx the kanban alone, filtered the same (what a filtered page fetches live).
    fragment = alice.get(f"/boards/{board_id}?q=label:bug+crash", htmx=True).get_data(True)
    assert "<html" not in fragment and ids_shown(fragment) == ids_shown(page)
    one = alice.get(f"/boards/{board_id}?q=label:%22needs+review%22").get_data(True)
    assert "1 card matches" in one and ids_shown(one) == {tasks["Review the 100% plan"]}


def test_a_bad_filter_is_a_message_under_the_input_not_a_500(app, login):
    alice, _bob, board_id, tasks, _ids = board(app, login)
    response = alice.get(f"/boards/{board_id}?q=due:someday")
    page = response.get_data(True)
    assert response.status_code == 200
    assert 'id="board-filter-error">Due is one of' in page and 'aria-invalid="true"' in page
    assert ids_shown(page) == set(tasks.values()) and "data-q" not in page  # not applied
    response = alice.get(f"/boards/{board_id}?q=" + "x" * 5000)
    assert response.status_code == 200 and "at most 200 characters" in response.get_data(True)


def test_the_get_form_and_show_more_keep_the_filter(app, login):
    alice, _bob, board_id, tasks, _ids = board(app, login)
    page = alice.get(f"/boards/{board_id}").get_data(True)
    form = re.search(r'<form class="board-filter" method="get" action="([^"]+)"', page)
    assert form and form[1] == f"/boards/{board_id}"
    assert re.search(r'<input id="board-filter" name="q"', page)
    todo = columns(app, board_id)[0][0]
    more = alice.get(f"/columns/{todo}/cards?offset=0&q=label:bug").get_data(True)
    assert ids_shown(more) == {tasks["Crash on save"], tasks["Review the 100% plan"]}
    assert "1–2 of 2" in more, more[more.index("column-heading") :][:300]
    assert f"/boards/{board_id}?q=label:bug" in more
    later = alice.get(f"/columns/{todo}/cards?offset=1&q=label:bug", htmx=True).get_data(True)
    assert ids_shown(later) == {tasks["Review the 100% plan"]}


def test_due_today_is_the_viewers_today(app, login):
    """Kiritimati (UTC+14) and Pago Pago (UTC-11) are never on the same day."""
    alice, bob, board_id, tasks, ids = board(app, login)
    east, west = "Pacific/Kiritimati", "Pacific/Pago_Pago"
    with app.app_context():
        db.session.execute(update(User).where(User.id == ids["alice"]).values(time_zone=east))
        db.session.execute(update(User).where(User.id == ids["bob"]).values(time_zone=west))
        day = timezones.today(east)
        db.session.execute(update(Task).where(Task.title == "Write docs").values(due_date=day))
        db.session.commit()
        db.session.remove()
    written = {tasks["Write docs"]}
    assert ids_shown(alice.get(f"/boards/{board_id}?q=due:today").get_data(True)) == written
    assert ids_shown(bob.get(f"/boards/{board_id}?q=due:today").get_data(True)) == set()
    assert ids_shown(bob.get(f"/boards/{board_id}?q=due:week").get_data(True)) == written
    assert ids_shown(alice.get(f"/boards/{board_id}?q=due:overdue").get_data(True)) == set()


def test_a_form_refused_on_a_filtered_board_answers_it_filtered(app, login):
    """The quick add's error is the kanban again: filtered as the page that posted it."""
    alice, _bob, board_id, tasks, _ids = board(app, login)
    todo = columns(app, board_id)[0][0]
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://x/boards/{board_id}?q=label%3Abug"}
    data = {"title": " ", "csrf_token": alice.csrf()}
    response = alice.http.post(f"/columns/{todo}/tasks/new", data=data, headers=headers)
    html = response.get_data(True)
    assert response.status_code == 422 and 'data-q="label:bug"' in html
    assert tasks["Write docs"] not in ids_shown(html) and tasks["Crash on save"] in ids_shown(html)
