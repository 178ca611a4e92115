"""What a broadcast publishes and what a socket handler answers, in-process: the Flask test
client and the frame handler on a real database and a real Redis, with no live server and no
browser. The live tests keep what only a live stack shows (delivery to sockets, reconnects).
"""

import json
import time

import pytest

from taskflow.chat.frames import ChatRoomFrames
from taskflow.extensions import db
from taskflow.models import ChatMessage, TaskThreadComment, User
from taskflow.realtime.broadcaster import EVERY_TOPIC

from .conftest import as_user


class Published:
    """The events published on the broadcaster's Redis channel, read from a real
    subscription (as each web process's subscriber reads them)."""

    def __init__(self, app) -> None:
        self.pubsub = app.redis.pubsub()
        self.pubsub.psubscribe(EVERY_TOPIC)  # every topic's channel
        deadline = time.monotonic() + 5
        while self.pubsub.get_message(timeout=1) is None:  # the subscribe confirmation
            assert time.monotonic() < deadline, "no subscribe confirmation"

    def events(self, timeout: float = 0.5) -> list[dict]:
        """Every event published so far, as {"topic", "kind", "seq", "html"}. Publishing is
        synchronous in the request, so they are all here: this only waits for none left."""
        found = []
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            message = self.pubsub.get_message(timeout=left)
            if message and message["type"] == "pmessage":
                head, _, html = message["data"].partition(b"\n")
                meta = json.loads(head)
                found.append(
                    {"topic": meta["t"], "kind": meta["k"], "seq": meta["i"], "html": html.decode()}
                )
        return found

    def close(self) -> None:
        self.pubsub.close()


@pytest.fixture
def published(app):
    published = Published(app)
    yield published
    published.close()


class RecordingConnection:
    """The part of a live Connection a frame handler uses, recording what it is told: the
    frames sent to this socket only, and a close."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed: tuple[int, str] | None = None
        self.state = {}

    def send(self, html: str) -> None:
        self.sent.append(html)

    def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = self.closed or (code, reason)


def user_id(app, username: str) -> int:
    with app.app_context():
        found = User.by_username(username).id
        db.session.remove()
        return found


def handle(app, room_id: int, username: str, frame: dict) -> RecordingConnection:
    """Hand one frame to the chat room's handler, as the socket route does."""
    connection = RecordingConnection()
    with app.test_request_context():
        try:
            ChatRoomFrames(room_id, user_id(app, username), connection).handle(frame)
        finally:
            db.session.remove()
    return connection


def messages(app) -> list[str]:
    with app.app_context():
        found = [m.content for m in ChatMessage.query.order_by(ChatMessage.id)]
        db.session.remove()
        return found


# -- what a broadcast publishes --------------------------------------------------------------


def test_a_message_posted_over_http_is_published_to_its_room_once(app, chat_room, published):
    alice = as_user(app, "alice")
    response = alice.post(f"/rooms/{chat_room}/messages", {"content": "Hello <b>bob</b>"})
    assert response.status_code == 302
    (event,) = [e for e in published.events() if e["topic"] == f"room:{chat_room}"]
    assert event["kind"] == "message" and event["seq"] == 1  # the room's first change
    assert 'hx-swap-oob="beforeend:#messages"' in event["html"]
    assert "Hello &lt;b&gt;bob&lt;/b&gt;</div>" in event["html"]  # escaped once, by the server


def test_a_moved_task_publishes_the_new_board_and_the_task(app, board_with_task, published):
    board_id, task_id, (todo, doing, _) = board_with_task
    bob = as_user(app, "bob")
    response = bob.post(f"/tasks/{task_id}/move", {"direction": "right"}, htmx=True)
    assert response.status_code == 200
    events = {e["topic"]: e for e in published.events()}
    board = events[f"board:{board_id}"]
    assert board["kind"] == "html" and 'id="board-diff"' in board["html"]
    assert 'id="kanban"' not in board["html"]  # only the change: the card, now in Doing
    assert f'id="task-{task_id}"' in board["html"]
    assert f'data-in-column="{doing}" data-position="0"' in board["html"]
    # The mover's answer adds the mover's Undo (theirs alone: not in what was published) and
    # where the card went, for its status line (board.js says it).
    said = (
        '<div id="card-moves" hx-swap-oob="true">'
        "Moved “Ship it” to In Progress, position 1 of 1</div>"
    )
    answer = response.get_data(as_text=True).replace(f' data-focus="task-{task_id}-link"', "")
    assert answer.startswith(board["html"]) and answer.endswith(said)
    assert "undo-offer" in answer and "undo-offer" not in board["html"]
    assert "Ship it" in events[f"task:{task_id}"]["html"]


def test_a_comment_and_its_deletion_send_the_card_with_its_count(app, board_with_task, published):
    """Only the card, as a diff of the board's next version: not the kanban."""
    board_id, task_id, _ = board_with_task
    bob = as_user(app, "bob")
    for text in ("one", "two"):
        assert bob.post(f"/tasks/{task_id}/comments", {"content": text}).status_code == 302
    diffs = [e["html"] for e in published.events() if e["topic"] == f"board:{board_id}"]
    assert len(diffs) == 2 and all('id="board-diff"' in d for d in diffs)
    assert 'id="kanban"' not in diffs[1] and f'id="task-{task_id}"' in diffs[1]
    assert '<span class="card-comments">2<span class="visually-hidden"> comments' in diffs[1]
    with app.app_context():
        comment_id = db.session.query(TaskThreadComment.id).filter_by(content="one").scalar()
        db.session.remove()
    assert bob.post(f"/comments/{comment_id}/delete", {}).status_code == 302
    (diff,) = [e["html"] for e in published.events() if e["topic"] == f"board:{board_id}"]
    assert '<span class="card-comments">1<span class="visually-hidden"> comment</span>' in diff
    page = bob.get(f"/boards/{board_id}").get_data(as_text=True)
    assert '<span class="card-comments">1<span class="visually-hidden"> comment</span>' in page


def test_a_refused_post_publishes_nothing(app, chat_room, published):
    response = as_user(app, "alice").post(f"/rooms/{chat_room}/messages", {"content": "   "})
    assert response.status_code == 422 and "Type a message first" in response.get_data(True)
    assert published.events() == [] and messages(app) == []


# -- what a socket handler answers ------------------------------------------------------------


def test_a_message_frame_is_saved_published_and_answered_with_nothing(app, chat_room, published):
    connection = handle(app, chat_room, "bob", {"content": "hi from a frame"})
    assert connection.sent == [] and connection.closed is None  # the broadcast is the answer
    assert messages(app) == ["hi from a frame"]
    (event, activity) = published.events()
    assert event["topic"] == f"room:{chat_room}" and "hi from a frame</div>" in event["html"]
    # and the lists of rooms count it (chat/unread.py): ids only
    assert activity["topic"] == f"room-activity:{chat_room}" and "hi" not in activity["html"]


def test_a_frame_for_another_room_or_of_an_unknown_type_gets_an_error_frame(
    app, chat_room, published
):
    other_room = handle(app, chat_room, "bob", {"content": "x", "room": chat_room + 1})
    assert len(other_room.sent) == 1 and "That frame is for another room." in other_room.sent[0]
    unknown = handle(app, chat_room, "bob", {"type": "dance"})
    assert len(unknown.sent) == 1 and "Unknown event type" in unknown.sent[0]
    assert messages(app) == [] and published.events() == []


def test_a_too_long_message_is_refused_and_its_text_handed_back(app, chat_room, published):
    text = "x" * 4001
    connection = handle(app, chat_room, "bob", {"content": text})
    (answer,) = connection.sent
    assert "at most 4,000 characters" in answer
    assert f"{text}</textarea>" in answer  # the composer gets the text back: nothing lost
    assert connection.state.get("notice") and connection.closed is None
    assert messages(app) == [] and published.events() == []


def test_a_mention_outside_the_room_is_saved_with_a_warning_to_the_sender(
    app, chat_room, published
):
    connection = handle(app, chat_room, "alice", {"content": "@carol look"})
    (answer,) = connection.sent
    assert "@carol is not in this room and was not notified." in answer
    assert connection.state.get("notice")
    assert messages(app) == ["@carol look"]


def test_a_non_member_frame_closes_the_socket_and_saves_nothing(app, chat_room, published):
    connection = handle(app, chat_room, "carol", {"content": "let me in"})  # not in the room
    assert connection.closed == (4403, "Access ended") and connection.sent == []
    assert messages(app) == [] and published.events() == []
