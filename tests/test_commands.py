"""The composer as a command line (boards/commands.py): each command applied through the
board's services, posted as a notice in the room, refused to the sender alone with the text
kept, undone by its author only; as a plain form (no JavaScript) and over the socket."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from taskflow import timezones
from taskflow.extensions import db
from taskflow.models import Board, ChatMessage, ChatRoom, Label, Task, User

from .conftest import (
    as_user,
    close_code,
    frames_until,
    http_login,
    receive_until,
    send,
    ws_connect,
)
from .helpers import board_of


def text_of(html: str) -> str:
    """What a fragment reads as: a notice's "#1" is a marker or its chip, which shows its
    number only there (app.css: the notice's text says the title and column)."""
    html = re.sub(r'(<a class="task-chip"[^>]*><b>[^<]*</b>).*?</a>', r"\1", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", html)


def say(client, room_id: int, text: str, htmx: bool = False):
    return client.post(f"/rooms/{room_id}/messages", {"content": text}, htmx=htmx)


def task_no(app, room_id: int, number: int) -> dict:
    """The board's task of that number as the database holds it."""
    with app.app_context():
        task = Task.numbered(board_of(app, room_id), number)
        found = {
            "column": task.column.name,
            "assignee": task.assignee.username if task.assignee else None,
            "due": task.due_date,
            "priority": task.priority,
            "labels": sorted(label.name for label in task.labels),
            "archived": task.archived_at is not None,
            "title": task.title,
        }
        db.session.remove()
        return found


def notices(app, room_id: int) -> list[tuple[str, str, int | None]]:
    """The room's notices, oldest first: (author, text, the event its Undo takes back)."""
    with app.app_context():
        query = select(ChatMessage).where(
            ChatMessage.room_id == room_id, ChatMessage.kind == "notice"
        )
        found = [
            (m.author.username, m.content, m.event_id)
            for m in db.session.scalars(query.order_by(ChatMessage.id))
        ]
        db.session.remove()
        return found


def message_count(app, room_id: int) -> int:
    with app.app_context():
        count = len(db.session.scalars(select(ChatMessage.id).where(
            ChatMessage.room_id == room_id)).all())  # fmt: skip
        db.session.remove()
        return count


def latest_notice_id(app, room_id: int) -> int:
    with app.app_context():
        query = select(ChatMessage.id).where(
            ChatMessage.room_id == room_id, ChatMessage.kind == "notice"
        )
        found = db.session.scalar(query.order_by(ChatMessage.id.desc()).limit(1))
        db.session.remove()
        return found


def undo(client, room_id: int, notice_id: int, htmx: bool = False):
    return client.post(f"/rooms/{room_id}/notices/{notice_id}/undo", htmx=htmx)


@pytest.fixture
def room(app, chat_room):
    """The chat_room (alice, bob; carol on the board only) with task #1 "Fix login" in To Do,
    made by alice's /new; returns (room id, alice's client)."""
    alice = as_user(app, "alice")
    assert say(alice, chat_room, "/new Fix login").status_code == 302
    return chat_room, alice


def test_new_creates_a_task_with_its_assignee_priority_and_due_day(app, chat_room):
    alice = as_user(app, "alice")
    response = say(alice, chat_room, "/new Fix   login @bob !high due:2026-12-11")
    assert response.status_code == 302 and "/rooms/" in response.location
    assert task_no(app, chat_room, 1) | {"labels": []} == {
        "column": "To Do",
        "assignee": "bob",
        "due": date(2026, 12, 11),
        "priority": "high",
        "labels": [],
        "archived": False,
        "title": "Fix login",
    }
    [(author, text, event)] = notices(app, chat_room)
    assert (author, text) == ("alice", "created #1 Fix login in To Do") and event
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert re.search(r'class="message notice".*alice</b> created <a class="task-chip"', page)
    assert "</a> Fix login in To Do" in page  # the chip (#1 for the room's readers), the text
    assert 'form="reactions-form"' in page and 'id="reactions-form"' in page


def test_move_assign_due_label_archive_each_apply_and_say_so(app, room):
    room_id, alice = room
    with app.app_context():
        db.session.add(Label(board_id=board_of(app, room_id), name="bug", colour="red"))
        db.session.commit()
    for text in ("/move 1 done", "/assign #1 @bob", "/due 1 2026-12-01", "/label 1 BUG"):
        assert say(alice, room_id, text).status_code == 302, text
    task = task_no(app, room_id, 1)
    assert (task["column"], task["assignee"], task["due"], task["labels"]) == (
        "Done", "bob", date(2026, 12, 1), ["bug"],
    )  # fmt: skip
    # With the socket down (htmx over HTTP): the notice comes back as the room's change.
    answer = say(alice, room_id, "/move 1\nin", htmx=True).get_data(as_text=True)
    assert "moved #1 Fix login to In Progress" in text_of(answer)
    assert 'class="message notice"' in answer
    assert say(alice, room_id, "/move 1 done").status_code == 302
    assert say(alice, room_id, "/move 1 in").status_code == 302  # a column's start will do
    assert task_no(app, room_id, 1)["column"] == "In Progress"
    assert say(alice, room_id, "/label 1 bug").status_code == 302  # a toggle: off again
    assert say(alice, room_id, "/archive 1").status_code == 302
    task = task_no(app, room_id, 1)
    assert task["labels"] == [] and task["archived"]
    assert [text for _, text, _ in notices(app, room_id)] == [
        "created #1 Fix login in To Do",
        "moved #1 Fix login to Done",
        "assigned #1 Fix login to @bob",
        "set #1 Fix login due 2026-12-01",
        "labelled #1 Fix login bug",
        "moved #1 Fix login to In Progress",
        "moved #1 Fix login to Done",
        "moved #1 Fix login to In Progress",
        "took the label bug off #1 Fix login",
        "archived #1 Fix login",
    ]
    assert all(event for _, _, event in notices(app, room_id))


def test_due_takes_weekdays_today_and_tomorrow_in_the_senders_zone(app, room):
    room_id, alice = room
    today = timezones.today("UTC")  # alice has no zone: UTC
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    for word, day in (("tomorrow", today + timedelta(days=1)), ("fri", friday), ("none", None)):
        assert say(alice, room_id, f"/due 1 {word}").status_code == 302
        assert task_no(app, room_id, 1)["due"] == day, word
    assert say(alice, room_id, "/assign 1 me").status_code == 302
    assert task_no(app, room_id, 1)["assignee"] == "alice"


def test_a_board_change_is_versioned_as_the_boards_own_forms_are(app, room):
    room_id, alice = room
    with app.app_context():
        before = db.session.get(Board, board_of(app, room_id)).version
    say(alice, room_id, "/move 1 done")
    with app.app_context():
        assert db.session.get(Board, board_of(app, room_id)).version == before + 1


@pytest.mark.parametrize(
    "text, reason",
    [
        ("/move 99 done", "There is no task #99 on this board."),
        ("/move 1 nowhere", "This board has no column “nowhere”"),
        ("/move x done", "is not a task number"),
        ("/move 1 to do", "#1 is already in To Do."),
        ("/assign 1 @mallory", "Nobody called @mallory is a member of this board."),
        ("/due 1 someday", "is not a date"),
        ("/label 1 nolabel", "This board has no label “nolabel”"),
        ("/new !high", "A task needs a title"),
        ("/frobnicate 1", "There is no command /frobnicate."),
    ],
)
def test_a_refusal_is_told_to_the_sender_with_the_text_kept(app, room, text, reason):
    room_id, alice = room
    before = message_count(app, room_id)
    response = say(alice, room_id, text)
    page = response.get_data(as_text=True)
    assert response.status_code in (409, 422)
    assert reason.replace("“", "&#8220;") in page or reason in page
    assert re.search(r'<textarea id="composer-input"[^>]*>' + re.escape(text) + "</textarea>", page)
    assert message_count(app, room_id) == before  # nothing posted in the room
    assert task_no(app, room_id, 1)["column"] == "To Do"
    # htmx (the socket down): the reason and the text back, to this page only
    answer = say(alice, room_id, text, htmx=True).get_data(as_text=True)
    assert 'id="socket-error"' in answer and text in answer


def test_commands_are_for_members_of_the_room_only(app, room, make_user):
    room_id, _alice = room
    make_user("mallory")
    for name in ("carol", "mallory"):  # carol is on the board, not in the room
        assert say(as_user(app, name), room_id, "/move 1 done").status_code == 404
    assert task_no(app, room_id, 1)["column"] == "To Do"


def test_beyond_the_rate_of_board_changes_a_command_is_refused(app, room):
    room_id, alice = room
    app.config["BOARD_EDIT_RATE_LIMIT"], before = (
        "1/minute",
        app.config.get("BOARD_EDIT_RATE_LIMIT"),
    )
    try:
        responses = [say(alice, room_id, f"/due 1 2026-12-0{day}") for day in (1, 2, 3)]
    finally:
        app.config["BOARD_EDIT_RATE_LIMIT"] = before
    assert 429 in [r.status_code for r in responses]


def direct_room(app) -> int:
    with app.app_context():
        alice, bob = User.by_username("alice"), User.by_username("bob")
        direct = ChatRoom.direct([bob], alice)
        db.session.add(direct)
        db.session.commit()
        return direct.id


def contents(app, room_id: int) -> list[str]:
    with app.app_context():
        query = select(ChatMessage.content).where(ChatMessage.room_id == room_id)
        found = list(db.session.scalars(query.order_by(ChatMessage.id)))
        db.session.remove()
        return found


def test_in_a_direct_message_a_commands_name_is_refused_and_other_slashes_are_text(app, chat_room):
    direct_id = direct_room(app)
    alice = as_user(app, "alice")
    response = say(alice, direct_id, "/move 1 done")
    assert response.status_code == 422
    assert "Commands work in a board&#39;s rooms" in response.get_data(as_text=True)
    for text in ("/usr/bin is full", "/shrug", "//shrug", "//move 1 done"):
        assert say(alice, direct_id, text).status_code == 302, text
    # "//" is needed, and taken off, only before a command's name
    assert contents(app, direct_id) == ["/usr/bin is full", "/shrug", "//shrug", "/move 1 done"]


def test_in_a_boards_room_double_slash_sends_a_text_that_begins_with_slash(app, chat_room):
    alice = as_user(app, "alice")
    assert say(alice, chat_room, "//shrug").status_code == 302
    assert contents(app, chat_room)[-1] == "/shrug"


def test_help_answers_the_sender_alone(app, room):
    room_id, alice = room
    before = message_count(app, room_id)
    response = say(alice, room_id, "/help")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<code>/move 42 done</code>" in page
    assert re.search(r'<textarea id="composer-input"[^>]*></textarea>', page)  # emptied
    assert message_count(app, room_id) == before


def test_a_notice_is_escaped_not_a_mention_and_not_editable(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    say(alice, chat_room, "/new <img src=x onerror=alert(1)> *bold* @bob")
    page = bob.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt; *bold*" in page and "<img src=x" not in page
    notice_id = latest_notice_id(app, chat_room)
    assert alice.post(f"/messages/{notice_id}/edit", {"content": "rewritten"}).status_code == 403
    with app.app_context():
        notice = db.session.get(ChatMessage, notice_id)
        assert notice.mentioned_users == [] and notice.notified_at is not None


def undone(app, alice, room_id: int, text: str) -> dict:
    """Apply `text`, undo it by its notice; the task afterwards."""
    assert say(alice, room_id, text).status_code == 302
    response = undo(alice, room_id, latest_notice_id(app, room_id))
    assert response.status_code == 302, response.get_data(as_text=True)
    return task_no(app, room_id, 1)


@pytest.mark.postgres  # the history's JSON read back, the events' order
def test_each_command_is_undone_by_its_author(app, room):
    room_id, alice = room
    with app.app_context():
        db.session.add(Label(board_id=board_of(app, room_id), name="bug", colour="red"))
        db.session.commit()
    assert say(alice, room_id, "/due 1 2026-12-01").status_code == 302
    assert undone(app, alice, room_id, "/move 1 done")["column"] == "To Do"
    assert undone(app, alice, room_id, "/assign 1 @bob")["assignee"] is None
    assert undone(app, alice, room_id, "/due 1 2026-12-24")["due"] == date(2026, 12, 1)
    assert undone(app, alice, room_id, "/label 1 bug")["labels"] == []
    assert undone(app, alice, room_id, "/archive 1")["archived"] is False
    say(alice, room_id, "/label 1 bug")
    assert undone(app, alice, room_id, "/label 1 bug")["labels"] == ["bug"]  # off, then on
    assert undone(app, alice, room_id, "/new Second")["archived"] is False  # #1 untouched
    with app.app_context():
        assert Task.numbered(board_of(app, room_id), 2).archived_at is not None
    said = [text for _, text, _ in notices(app, room_id)]
    assert "undid: moved #1 Fix login to Done" in said
    assert "undid: created #2 Second in To Do" in said


def test_only_the_author_undoes_and_only_what_did_not_change_since(app, room):
    room_id, alice = room
    bob = as_user(app, "bob")
    say(alice, room_id, "/move 1 done")
    moved = latest_notice_id(app, room_id)
    assert undo(bob, room_id, moved).status_code == 403
    assert "Only the person who made this change can undo it." in undo(
        bob, room_id, moved
    ).get_data(as_text=True)
    refused = undo(bob, room_id, moved, htmx=True).get_data(as_text=True)  # for the page's #flash
    assert 'hx-swap-oob="beforeend:#flash"' in refused and "Only the person" in refused
    say(bob, room_id, "/move 1 in progress")
    assert undo(alice, room_id, moved).status_code == 409  # moved since
    assert task_no(app, room_id, 1)["column"] == "In Progress"
    assert undo(as_user(app, "carol"), room_id, moved).status_code == 404  # not in the room
    assert undo(alice, room_id, 10**6).status_code == 404


@pytest.mark.postgres  # a number's digits as text (CAST), titles by ILIKE
def test_the_composer_offers_commands_tasks_columns_and_labels(app, room):
    room_id, alice = room
    with app.app_context():
        db.session.add(Label(board_id=board_of(app, room_id), name="bug", colour="red"))
        db.session.commit()

    def offered(text: str) -> list[tuple[str, str]]:
        url = f"/rooms/{room_id}/mentions?content={text}&caret={len(text)}"
        html = alice.get(url.replace("#", "%23")).get_data(as_text=True)
        return re.findall(r'data-insert="([^"]*)" data-replace="(\d+)"', html)

    assert offered("/mo") == [("/move ", "3")]
    assert ("/help ", "1") in offered("/")
    assert offered("see #1") == [] and offered("see #") == [("#1 ", "1")]
    assert offered("#log") == [("#1 ", "4")]
    assert offered("/move 1") == []  # typed in full: Enter sends, it does not complete
    assert offered("/move 1 d") == [("Done", "1")]
    assert offered("/move 1 done") == [] and offered("/help") == []
    assert offered("/label #1 b") == [("bug", "1")]
    # @mentions as before: the room's people (carol is on the board, not in the room)
    assert offered("@bo") == [("@bob ", "3")] and offered("@ca") == []
    assert offered("/assign 1 @ca") == [("@carol ", "3")]  # an assignee: the board's


def test_a_command_over_the_socket_reaches_every_member(live_server, chat_room):
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "bob"))
    send(alice, content="/new Fix login", client_id="command-new-0001")
    for ws in (alice, bob):
        frame = receive_until(ws, "Fix login in To Do")
        assert "created #1 Fix login in To Do" in text_of(frame)
        assert 'class="message notice"' in frame and "/notices/" in frame
    assert 'data-client-id="command-new-0001"' in frame
    send(alice, content="/move 1 nowhere", client_id="command-move-0001")
    refused = "".join(frames_until(alice, "nowhere"))
    assert "This board has no column" in refused and "/move 1 nowhere</textarea>" in refused
    send(alice, content="/move 1 done", client_id="command-move-0002")
    assert "moved #1 Fix login to Done" in text_of(receive_until(bob, "Fix login to Done"))
    send(alice, content="/help", client_id="command-help-0001")
    assert "/archive 42" in "".join(frames_until(alice, "/archive 42"))


def test_the_notices_migration_goes_down_and_up_keeping_messages(tmp_path, redis_url):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from .conftest import autoincrement_of_never_reused_tables, scratch_app

    app = scratch_app(tmp_path, redis_url)
    with app.app_context():
        upgrade()
        alice = User("alice", "x" * 10)
        room = ChatRoom(Board.create("One", "", alice), "general", "", alice)
        db.session.add_all([alice, room, ChatMessage(room=room, author=alice, content="hi")])
        db.session.commit()
        downgrade(revision="a24chp000001")  # before the notices
        assert "kind" not in {c["name"] for c in inspect(db.engine).get_columns("chat_messages")}
        upgrade()
        db.session.expire_all()
        kept = db.session.scalars(select(ChatMessage)).one()
        assert (kept.content, kept.kind, kept.event_id) == ("hi", "text", None)
        assert all(autoincrement_of_never_reused_tables().values())
        db.session.remove()


def test_a_notice_shows_its_task_as_a_chip(app, chat_room):
    """The notice's "#1" is the task's chip, for the room's readers; "#2" names no task yet
    and stays text; a title's quote (&#39; once escaped) is no task number."""
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    say(alice, chat_room, "/new Alice's #2 launch post")
    page = bob.get(f"/rooms/{chat_room}").get_data(as_text=True)
    notice = re.search(r'<li class="message notice".*?</li>', page, re.DOTALL)[0]
    assert notice.count('class="task-chip"') == 1 and "<b>#1</b>" in notice, notice
    assert "Alice&#39;s #2 launch post in To Do" in notice


def grouped(app, room_id: int) -> list[tuple[str, str, bool]]:
    """The room's messages, oldest first: (kind, text, grouped under the one before)."""
    with app.app_context():
        query = select(ChatMessage).where(ChatMessage.room_id == room_id)
        found = [(m.kind, m.content, m.continues) for m in db.session.scalars(
            query.order_by(ChatMessage.id))]  # fmt: skip
        db.session.remove()
        return found


def test_a_notice_neither_groups_under_a_message_nor_has_one_grouped_under_it(app, chat_room):
    alice = as_user(app, "alice")
    for text in ("first", "/new Fix login", "right after", "/move 1 done"):
        assert say(alice, chat_room, text).status_code == 302, text
    assert grouped(app, chat_room) == [
        ("text", "first", False),
        ("notice", "created #1 Fix login in To Do", False),
        ("text", "right after", False),  # its own name and avatar, not under the notice
        ("notice", "moved #1 Fix login to Done", False),
    ]
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    shown = re.search(r'<li class="message[^"]*"(?:(?!</li>).)*right after', page, re.S)[0]
    assert shown.startswith('<li class="message"'), shown


def test_a_client_ids_claim_is_held_by_one_and_given_back_by_its_holder_only(app):
    from taskflow.boards import command_claims as claims

    with app.app_context():
        token = claims.take(7, "claim-unit-0001")
        assert token and claims.take(7, "claim-unit-0001") is None  # held: a resend waits
        assert claims.take(8, "claim-unit-0001")  # another author's id is another claim
        claims.give_back(7, "claim-unit-0001", "not-the-token")
        assert claims.take(7, "claim-unit-0001") is None  # still ours
        claims.give_back(7, "claim-unit-0001", token)
        again = claims.take(7, "claim-unit-0001")
        assert again and again != token
        assert app.redis.ttl("taskflow:command-claim:7:claim-unit-0001") > 0  # expires alone


def test_a_resent_command_is_applied_once(app, room):
    """The same client id twice: after the first completed it gets its notice back; while
    the first is being applied (its claim held, its notice not yet saved) it is refused."""
    from taskflow.boards import command_claims as claims

    room_id, alice = room
    with app.app_context():
        db.session.add(Label(board_id=board_of(app, room_id), name="bug", colour="red"))
        db.session.commit()
        alice_id = User.by_username("alice").id
    for _ in range(2):
        sent = {"content": "/label 1 bug", "client_id": "command-label-0001"}
        assert alice.post(f"/rooms/{room_id}/messages", sent).status_code == 302
        sent = {"content": "/new Second", "client_id": "command-new-0002"}
        assert alice.post(f"/rooms/{room_id}/messages", sent).status_code == 302
    assert task_no(app, room_id, 1)["labels"] == ["bug"]  # not toggled back
    with app.app_context():
        assert Task.numbered(board_of(app, room_id), 3) is None  # no second "Second"
        held = claims.take(alice_id, "command-new-0003")  # as the first request holds it
    sent = {"content": "/new Third", "client_id": "command-new-0003"}
    response = alice.post(f"/rooms/{room_id}/messages", sent)
    assert response.status_code == 409
    assert "being applied already" in response.get_data(as_text=True)
    with app.app_context():
        assert Task.numbered(board_of(app, room_id), 3) is None
        claims.give_back(alice_id, "command-new-0003", held)
    assert [text for _, text, _ in notices(app, room_id)] == [
        "created #1 Fix login in To Do",
        "labelled #1 Fix login bug",
        "created #2 Second in To Do",
    ]


def test_a_command_resent_over_the_socket_is_applied_once(live_server, chat_room):
    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    send(alice, content="/new Fix login", client_id="command-resend-0001")
    first = receive_until(alice, "Fix login in To Do")
    send(alice, content="/new Fix login", client_id="command-resend-0001")  # the outbox again
    again = receive_until(alice, "Fix login in To Do")
    notice_id = re.search(r'data-message-id="(\d+)"', first)[1]
    assert re.search(r'data-message-id="(\d+)"', again)[1] == notice_id
    send(alice, content="/new Other", client_id="command-resend-0002")
    assert "created #2 Other" in text_of(receive_until(alice, "Other in To Do"))  # not #3


def test_a_member_removed_after_the_page_loaded_cannot_command_over_the_open_socket(
    live_server, chat_room, app
):
    """The socket reuses a recent access check for plain texts, not for a command: bob,
    taken off the board (quietly: no broadcast closes his socket), is refused."""
    bob = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "bob"))
    send(bob, content="/new Fix login", client_id="removed-new-0001")
    receive_until(bob, "Fix login in To Do")
    send(bob, content="checked a moment ago", client_id="removed-text-0001")
    receive_until(bob, "checked a moment ago")  # the socket now holds a recent check
    with app.app_context():
        board = db.session.get(Board, board_of(app, chat_room))
        board.remove_member(User.by_username("bob"))
        ChatRoom.leave_board(board.id, User.by_username("bob").id)
        db.session.commit()
    send(bob, content="/move 1 done", client_id="removed-move-0001")
    assert close_code(bob) == 4403
    assert task_no(app, chat_room, 1)["column"] == "To Do"


def test_an_undone_notice_offers_no_undo_any_more(app, room):
    """Its Undo goes from every page (the notice is sent again without it); a second try
    is told it cannot be undone, not that the task changed since."""
    room_id, alice = room
    say(alice, room_id, "/move 1 done")
    moved = latest_notice_id(app, room_id)
    assert undo(alice, room_id, moved).status_code == 302
    page = alice.get(f"/rooms/{room_id}").get_data(as_text=True)
    notice = re.search(rf'<li class="message notice" id="message-{moved}".*?</li>', page, re.S)[0]
    assert "Undo" not in notice
    again = undo(alice, room_id, moved)
    assert again.status_code == 400 and "cannot be undone" in again.get_data(as_text=True)
