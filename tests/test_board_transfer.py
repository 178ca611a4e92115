"""Bring a board, take it away (issue 23): a real Trello export imported by a real RQ worker,
TaskFlow's JSON export imported and exported again without loss, the CSV and its guard, the
bounds of an upload, all or nothing, and who may export."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from taskflow.boards import import_service, trello
from taskflow.boards.incoming import IMPORT_MAX_BYTES, MAX_CARDS
from taskflow.boards.incoming import ChecklistItem as IncomingItem
from taskflow.boards.incoming import Label as IncomingLabel
from taskflow.extensions import db
from taskflow.models import (
    Board,
    BoardImport,
    ChecklistItem,
    Column,
    Label,
    Task,
    TaskThreadComment,
    User,
)

from .conftest import as_user, run_jobs
from .helpers import create_board, failing_insert

FIXTURE = Path(__file__).parent / "fixtures" / "trello_clipkit.json"
KOTARO, MIYATATZ = "54dc787e2a5e8c705cb467c3", "54b0f93354de21ef3a8de952"


def trello_export() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def upload(client, content: bytes | str, name: str = "board.json"):
    raw = content.encode() if isinstance(content, str) else content
    data = {"file": (io.BytesIO(raw), name), "csrf_token": client.csrf()}
    return client.http.post("/boards/import", data=data, content_type="multipart/form-data")


def imported(app, client, content) -> int:
    """Upload, run the queued job with a real RQ worker; the new board's id."""
    response = upload(client, content)
    assert response.status_code == 302, response.get_data(as_text=True)
    run_jobs(app)
    import_id = int(response.location.rsplit("/", 1)[1])
    with app.app_context():
        record = db.session.get(BoardImport, import_id)
        assert record.status == "done", record.error
        return record.board_id


def open_cards(data: dict) -> dict[str, list[dict]]:
    """What Trello shows: open lists in order, each with its open cards in order."""
    lists = sorted((x for x in data["lists"] if not x["closed"]), key=lambda x: x["pos"])
    cards = sorted((c for c in data["cards"] if not c["closed"]), key=lambda c: c["pos"])
    return {x["name"]: [c for c in cards if c["idList"] == x["id"]] for x in lists}


def test_a_real_trello_export_is_imported(app, login, make_user):
    alice = login("alice")
    make_user("miyatatz")  # a Trello username that is a username here; the others are not
    data = trello_export()
    card = next(c for c in data["cards"] if c["id"] == "54b4a481f2a7029dac0cc0d9")
    card["due"] = "2015-03-10T03:00:00.000Z"  # the real export has none
    board_id = imported(app, alice, json.dumps(data))

    expected = open_cards(data)
    with app.app_context():
        board = db.session.get(Board, board_id)
        assert board.name == "Clipkit" and board.owner.username == "alice"
        assert [c.name for c in board.columns] == ["やりたいこと", "やること", "作業中", "クローズ"]
        for column in board.columns:  # archived cards skipped, the rest in Trello's order
            cards = expected[column.name]
            assert [t.title for t in column.tasks] == [c["name"] for c in cards]
            assert [t.description for t in column.tasks] == [c["desc"] for c in cards]
            assert [t.position for t in column.tasks] == list(range(len(cards)))
        titles = [t.title for c in board.columns for t in c.tasks]
        assert "アイテムをストックへ保存するブックマークレット" not in titles  # archived
        assert len(titles) == 66

        tasks = {t.title: t for c in board.columns for t in c.tasks}
        assert tasks[card["name"]].due_date == date(2015, 3, 10)
        # The first of idMembers matched by username: miyatatz, who became a member.
        assigned = [c["name"] for cs in expected.values() for c in cs if MIYATATZ in c["idMembers"]]
        assert assigned and all(tasks[n].assignee.username == "miyatatz" for n in assigned)
        others = [c["name"] for cs in expected.values() for c in cs
                  if c["idMembers"] and MIYATATZ not in c["idMembers"]]  # fmt: skip
        assert others and all(tasks[n].assignee is None for n in others)
        assert sorted(u.username for u in board.members) == ["alice", "miyatatz"]

        # Comments: oldest first, by nobody here, keeping the Trello name and date.
        long_url = next(t for t in tasks.values() if t.title.startswith("画像アイテムに長いURL"))
        comments = TaskThreadComment.latest(long_url)
        assert [c.content[:40] for c in comments] == [
            "Errno::ENAMETOOLONG - File name too long",
            "Paperclipが元ファイル名で一時保存しようとしている？",
        ]
        assert [c.imported_author for c in comments] == ["みやまえ", "みやまえ"]
        assert comments[0].created_at == datetime(2015, 2, 14, 6, 28, 31, 916000)
        assert all(c.author_id is None for c in comments)
        assert long_url.comment_count == 2
        task_id = long_url.id

    page = alice.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'Imported</strong> · <span class="imported-author">originally by みやまえ' in page
    assert 'datetime="2015-02-14T06:28:31Z"' in page


def test_trello_labels_and_checklists_are_read_in_trellos_order():
    mycorner = json.loads((FIXTURE.parent / "trello_mycorner.json").read_text(encoding="utf-8"))
    tasks = {t.title: t for c in trello.read(mycorner).columns for t in c.tasks}
    activities = tasks["Migrazione OASIS -> OSM"]
    assert [x.name for x in activities.checklists] == ["Activities"]
    items = activities.checklists[0].items
    assert items[0] == IncomingItem("Persistenza UIN", False, 8451.5)  # pos, not file order
    assert [i.name for i in items[1:3]] == ["AGB", "Profile"]
    todo = tasks["Adobe Analytics"].checklists[0]
    assert [(i.name[:20], i.checked) for i in todo.items][:2] == [
        ("Attivazione su CH (b", True), ("Attivazione su BS (b", False)
    ]  # fmt: skip
    assert tasks["Documentazione Brain Aux CC"].labels == [IncomingLabel("Documentazione", "pink")]
    clipkit = {t.title: t for c in trello.read(trello_export()).columns for t in c.tasks}
    assert clipkit["カテゴリの階層化"].labels == [
        IncomingLabel("機能", "green")
    ]  # on the cards only


def test_trello_labels_and_checklists_are_imported(app, login):
    alice = login("alice")
    mycorner = (FIXTURE.parent / "trello_mycorner.json").read_bytes()
    board_id = imported(app, alice, mycorner)
    with app.app_context():
        tasks = {t.title: t for c in db.session.get(Board, board_id).columns for t in c.tasks}
        labelled = tasks["Documentazione Brain Aux CC"]
        assert [(x.name, x.colour) for x in labelled.labels] == [("Documentazione", "purple")]
        task = tasks["Adobe Analytics"]
        items = ChecklistItem.of_task(task.id)
        assert [(i.text[:20], i.done) for i in items][:2] == [
            ("Attivazione su CH (b", True), ("Attivazione su BS (b", False)
        ]  # fmt: skip
        assert (task.checklist_done, task.checklist_total) == (
            sum(i.done for i in items),
            len(items),
        )
    page = alice.get(f"/boards/{board_id}").get_data(as_text=True)
    assert "Documentazione</span>" in page


def test_a_re_run_of_the_job_creates_no_second_board(app, login):
    alice = login("alice")
    response = upload(alice, FIXTURE.read_bytes())
    import_id = int(response.location.rsplit("/", 1)[1])
    app.task_queue.enqueue(import_service.JOB, import_id)  # the same job, queued twice
    run_jobs(app)
    with app.app_context():
        import_service.run_import(import_id)  # and run once more
        assert db.session.scalar(select(func.count()).select_from(Board)) == 1
        assert db.session.get(BoardImport, import_id).payload == ""  # not kept once done


def make_board(app, client) -> int:
    board_id = create_board(client, 'Q3 "plan" / ünïcode', "What we ship")
    with app.app_context():
        board = db.session.get(Board, board_id)
        board.add_member(User.by_username("bob"))
        alice, bob = User.by_username("alice"), User.by_username("bob")
        todo, doing = board.columns[0], board.columns[1]
        first = Task(column=todo, position=0, number=5, title="=HYPERLINK(\"http://x\")",
                     priority="high",
                     description="+1 line\nsecond, with \"quotes\"", assignee=bob,
                     due_date=date(2026, 5, 3), due_at=datetime(2026, 5, 3, 14, 30),
                     remind_before=60, created_by=alice,
                     created_at=datetime(2026, 1, 2, 3, 4, 5))  # fmt: skip
        second = Task(column=todo, position=1, number=2, title="@mention me", created_by=alice,
                      created_at=datetime(2026, 1, 3))  # fmt: skip
        third = Task(column=doing, position=0, number=9, title="-minus", created_by=alice,
                     created_at=datetime(2026, 1, 4), comment_count=2)  # fmt: skip
        db.session.add_all([first, second, third])
        bug = Label(board_id=board.id, name="bug", colour="red")
        review = Label(board_id=board.id, name="needs review", colour="purple")
        first.labels, third.labels = [bug, review], [review]
        first.checklist_total, first.checklist_done = 2, 1
        db.session.add_all([
            bug, review,
            ChecklistItem(task=first, text="Write it", done=True, position=0),
            ChecklistItem(task=first, text="=Check it", position=1),
        ])  # fmt: skip
        db.session.add_all([
            TaskThreadComment(task=third, author=bob, content="Looks good",
                              created_at=datetime(2026, 2, 1, 9, 30), notified_at=datetime.now()),
            TaskThreadComment(task=third, author=alice, content="**Done**",
                              created_at=datetime(2026, 2, 2, 10, 0), notified_at=datetime.now()),
        ])  # fmt: skip
        db.session.commit()
    return board_id


def exported(client, board_id: int) -> dict:
    response = client.get(f"/boards/{board_id}/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    data = json.loads(response.get_data(as_text=True))
    assert data["format"] == "taskflow-board" and data["version"] == 1
    del data["exported_at"]
    return data


def test_an_export_imported_and_exported_again_is_the_same(app, login, make_user):
    alice = login("alice")
    make_user("bob")
    board_id = make_board(app, alice)
    first = exported(alice, board_id)
    assert first["members"] == ["alice", "bob"]
    assert first["labels"] == [
        {"name": "bug", "colour": "red"}, {"name": "needs review", "colour": "purple"}
    ]  # fmt: skip
    todo = first["columns"][0]["tasks"][0]
    assert (todo["due_at"], todo["remind_before"]) == ("2026-05-03T14:30:00Z", 60)
    assert todo["labels"] == ["bug", "needs review"]
    assert todo["checklist"] == [{"text": "Write it", "done": True},
                                 {"text": "=Check it", "done": False}]  # fmt: skip
    doing = first["columns"][1]["tasks"][0]
    assert doing["comments"][0] == {
        "author_name": "bob", "content": "Looks good", "created_at": "2026-02-01T09:30:00Z"
    }  # fmt: skip

    assert [t["number"] for c in first["columns"] for t in c["tasks"]] == [5, 2, 9]
    again = imported(app, alice, json.dumps(first))
    assert again != board_id
    assert exported(alice, again) == first  # nothing lost, ids aside


def test_a_trello_import_exported_and_imported_again_is_the_same(app, login, make_user):
    alice = login("alice")
    make_user("miyatatz")
    from_trello = exported(alice, imported(app, alice, FIXTURE.read_bytes()))
    assert sum(len(c["tasks"]) for c in from_trello["columns"]) == 66
    again = exported(alice, imported(app, alice, json.dumps(from_trello)))
    assert again == from_trello


def test_the_csv_has_a_row_per_task_and_no_formula(app, login, make_user):
    alice = login("alice")
    make_user("bob")
    board_id = make_board(app, alice)
    response = alice.get(f"/boards/{board_id}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="taskflow-q3-plan-unicode-{board_id}.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["column", "title", "description", "assignee", "due_date", "priority",
                       "created", "labels", "checklist"]  # fmt: skip
    assert rows[1:] == [
        ["To Do", "'=HYPERLINK(\"http://x\")", "'+1 line\nsecond, with \"quotes\"", "bob",
         "2026-05-03", "high", "2026-01-02T03:04:05Z", "bug, needs review", "1/2"],
        ["To Do", "'@mention me", "", "", "", "medium", "2026-01-03T00:00:00Z", "", ""],
        ["In Progress", "'-minus", "", "", "", "medium", "2026-01-04T00:00:00Z", "needs review",
         ""],
    ]  # fmt: skip


def test_only_members_export_a_board(app, login, make_user, client):
    alice, carol = login("alice"), login("carol")
    board_id = create_board(alice, "Secret")
    for kind in ("json", "csv"):
        assert carol.get(f"/boards/{board_id}/export.{kind}").status_code == 404
        assert carol.get(f"/boards/{board_id + 99}/export.{kind}").status_code == 404
        assert client.get(f"/boards/{board_id}/export.{kind}").status_code in (302, 404)
    page = alice.get(f"/boards/{board_id}").get_data(as_text=True)
    assert f'href="/boards/{board_id}/export.json"' in page
    assert f'href="/boards/{board_id}/export.csv"' in page
    # An import's status is its importer's alone.
    response = upload(alice, FIXTURE.read_bytes())
    assert carol.get(response.location).status_code == 404


def refused(client, content, status: int) -> str:
    response = upload(client, content)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_uploads_out_of_bounds_are_refused_with_a_reason(app, login):
    alice = login("alice")
    page = refused(alice, b"x" * (IMPORT_MAX_BYTES + 1), 413)
    assert "larger than 10 MB" in page
    assert "is not JSON" in refused(alice, b"Name,Column\nShip it,To Do\n", 422)
    assert "is not JSON" in refused(alice, b"\xff\xfe\x00garbage", 422)
    assert "neither a Trello board export nor a TaskFlow export" in refused(
        alice, json.dumps({"name": "a package.json", "version": "1.0.0"}), 422
    )
    assert "neither a Trello" in refused(alice, "[1, 2, 3]", 422)
    assert "Choose a file" in refused(alice, b"", 422)
    many = {"id": "b1", "name": "Big", "lists": [{"id": "l1", "name": "All", "pos": 1}],
            "cards": [{"id": f"c{i}", "idList": "l1", "name": f"card {i}", "pos": i}
                      for i in range(MAX_CARDS + 1)]}  # fmt: skip
    assert "5,001 cards; an import takes at most 5,000" in refused(alice, json.dumps(many), 422)
    newer = json.dumps({"format": "taskflow-board", "version": 2})
    assert "version 2" in refused(alice, newer, 422)
    with app.app_context():  # nothing was kept nor queued
        assert db.session.scalar(select(func.count()).select_from(BoardImport)) == 0
    assert app.task_queue.count == 0


def test_a_failing_import_leaves_no_board(app, login):
    """A database failure at the 60th card's comment, after the board, its columns and 50
    cards were flushed: the one transaction leaves nothing, and the import says why."""
    alice = login("alice")
    data = trello_export()
    card = open_cards(data)["クローズ"][20]
    data["actions"].append({"id": "x", "type": "commentCard", "date": "2015-03-01T00:00:00Z",
                            "data": {"text": "boom", "card": {"id": card["id"]}},
                            "memberCreator": {"fullName": "Someone"}})  # fmt: skip
    response = upload(alice, json.dumps(data))
    with failing_insert(app, "task_thread_comments", "content", "boom"):
        run_jobs(app)
    with app.app_context():
        for model in (Board, Column, Task, TaskThreadComment):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
        record = db.session.scalar(select(BoardImport))
        assert record.status == "failed" and record.board_id is None
    page = alice.get(response.location).get_data(as_text=True)
    assert "failed" in page and "No board was created." in page


def test_the_boards_page_has_the_import_form(app, login):
    page = login("alice").get("/boards").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="file"' in page
    assert 'action="/boards/import"' in page


def test_the_status_polls_while_pending_and_stops_when_done(app, login):
    alice = login("alice")
    response = upload(alice, FIXTURE.read_bytes())
    pending = alice.get(response.location, htmx=True).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in pending and "0 of 66 cards" in pending
    run_jobs(app)
    done = alice.get(response.location, htmx=True).get_data(as_text=True)
    assert "hx-trigger" not in done and "Open the board" in done
    assert as_user(app, "alice").get("/boards").status_code == 200


def test_imported_tasks_still_to_come_due_get_their_reminders(app, login):
    """A TaskFlow export's due moments come with it; the tasks due in the future are given
    their reminder and overdue jobs (RQ's scheduler), those already past are left quiet."""
    from rq.registry import ScheduledJobRegistry

    alice = login("alice")
    soon = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0, tzinfo=None)
    task = {"title": "Soon", "due_date": soon.date().isoformat(), "due_at": soon.isoformat() + "Z",
            "remind_before": 1440}  # fmt: skip
    past = {"title": "Long ago", "due_date": "2020-01-01", "remind_before": 15}
    data = {"format": "taskflow-board", "version": 1, "board": {"name": "Dated"},
            "columns": [{"name": "To Do", "tasks": [task, past]}, {"name": "Done"}]}  # fmt: skip
    registry = ScheduledJobRegistry(queue=app.task_queue)
    before = registry.count
    board_id = imported(app, alice, json.dumps(data))
    with app.app_context():
        tasks = {t.title: t for t in db.session.get(Board, board_id).columns[0].tasks}
        assert (tasks["Soon"].due_at, tasks["Soon"].remind_before) == (soon, 1440)
    assert registry.count - before == 2  # Soon's reminder and overdue notice, nothing of the past


def test_task_numbers_are_kept_where_free_and_given_after_the_highest_elsewhere():
    from taskflow.boards.incoming import IncomingBoard, IncomingColumn, IncomingTask, numbers

    tasks = [IncomingTask("a", number=7), IncomingTask("b"), IncomingTask("c", number=7),
             IncomingTask("d", number=2), IncomingTask("e")]  # fmt: skip
    board = IncomingBoard(
        "B", columns=[IncomingColumn("One", tasks[:2]), IncomingColumn("Two", tasks[2:])]
    )
    assert numbers(board) == [7, 8, 9, 2, 10]


def test_an_imported_board_keeps_its_task_numbers(app, login):
    """ "#42" in an imported board's texts names the task it named: a TaskFlow export's
    `number`, a Trello card's `idShort`."""
    alice = login("alice")
    board_id = imported(app, alice, FIXTURE.read_bytes())
    cards = [c for cards in open_cards(trello_export()).values() for c in cards]
    with app.app_context():
        got = dict(db.session.execute(
            select(Task.title, Task.number).join(Column).where(Column.board_id == board_id)
        ).all())  # fmt: skip
        counter = db.session.get(Board, board_id).task_counter
    assert {c["name"][:200]: c["idShort"] for c in cards} == got
    assert counter == max(got.values())
