"""Every route and every socket, checked against every role.

The table below must name every endpoint of the app's URL map: a new route without an
expectation fails test_every_endpoint_has_an_expectation. Each check runs in a fresh world,
so what one role does (delete a task, leave a board) cannot hide what another may do."""

import pytest

from taskflow.extensions import db
from taskflow.models import (
    Board,
    BoardImport,
    ChatMessage,
    ChatRoom,
    ChecklistItem,
    Invitation,
    InviteLink,
    Label,
    Notification,
    Task,
    TaskEvent,
    TaskThreadComment,
    User,
)
from taskflow.models.board_import import DONE
from taskflow.models.room import OPEN

from .conftest import Client, as_user, close_code, http_login, receive_until, ws_connect

ROLES = ["anonymous", "outsider", "board_member", "room_member", "room_creator", "board_owner"]
USERS = {
    "outsider": "mallory",
    "board_member": "erin",
    "room_member": "bob",
    "room_creator": "dave",
    "board_owner": "alice",
}
LOGIN, OK = "login", "ok"
MEMBERS = {"board_member": OK, "room_member": OK, "room_creator": OK, "board_owner": OK}
OWNER_ONLY = {"board_member": 403, "room_member": 403, "room_creator": 403, "board_owner": OK}
ROOM = {"board_member": 404, "room_member": OK, "room_creator": OK, "board_owner": OK}
ANY_USER = {r: OK for r in ROLES[1:]}
DIRECT = {"board_member": OK, "room_member": OK, "room_creator": 404, "board_owner": 404}
NOT_FOUND = {r: 404 for r in MEMBERS}
INVITEE_ONLY = {"anonymous": LOGIN, "outsider": OK, **{r: 404 for r in MEMBERS}}


def board(expect: dict) -> dict:
    """A board-level expectation: anonymous → login, outsiders → 404."""
    return {"anonymous": LOGIN, "outsider": 404, **expect}


# endpoint: (method, url, form data, expectations)
ENDPOINTS = {
    "main.home": ("GET", "/", {}, {"anonymous": LOGIN, **ANY_USER}),
    "main.healthz": ("GET", "/healthz", {}, {r: OK for r in ROLES}),
    "main.viewer_css": ("GET", "/viewer.css", {}, {"anonymous": LOGIN, **ANY_USER}),
    # My tasks (issue 23): anyone logged in sees their own
    "my_tasks.index": ("GET", "/my-tasks", {}, {"anonymous": LOGIN, **ANY_USER}),
    "search.index": ("GET", "/search?q=plan", {}, {"anonymous": LOGIN, **ANY_USER}),
    "auth.register": ("GET", "/register", {}, {r: OK for r in ROLES}),
    "auth.login": ("GET", "/login", {}, {r: OK for r in ROLES}),
    # anonymous: sent to log in; everyone else: logged out, then sent to log in
    "auth.logout": ("POST", "/logout", {}, {r: LOGIN for r in ROLES}),
    "account.show": ("GET", "/account", {}, {"anonymous": LOGIN, **ANY_USER}),
    # an empty form: refused (422) for a user, never a 5xx
    "account.change_password": ("POST", "/account/password", {}, {"anonymous": LOGIN, **ANY_USER}),
    "account.logout_everywhere": (
        "POST",
        "/account/logout-everywhere",
        {},
        {r: LOGIN for r in ROLES},
    ),
    # your own profile (an empty form: refused, 422) and the zone from the browser (400)
    "profile.edit": ("GET", "/profile", {}, {"anonymous": LOGIN, **ANY_USER}),
    "profile.edit#post": ("POST", "/profile", {}, {"anonymous": LOGIN, **ANY_USER}),
    "profile.time_zone": ("POST", "/account/time-zone", {}, {"anonymous": LOGIN, **ANY_USER}),
    # alice's profile: for the people who share a board with her
    "profile.show": ("GET", "/users/alice", {}, board(MEMBERS)),
    "boards.index": ("GET", "/boards", {}, {"anonymous": LOGIN, **ANY_USER}),
    "boards.create": ("POST", "/boards", {}, {"anonymous": LOGIN, **ANY_USER}),
    "boards.show": ("GET", "/boards/{board}", {}, board(MEMBERS)),
    "boards.edit": ("GET", "/boards/{board}/edit", {}, board(OWNER_ONLY)),
    "boards.edit#post": ("POST", "/boards/{board}/edit", {}, board(OWNER_ONLY)),
    "boards.delete": ("GET", "/boards/{board}/delete", {}, board(OWNER_ONLY)),
    "boards.delete#post": ("POST", "/boards/{board}/delete", {}, board(OWNER_ONLY)),
    "boards.archive": ("POST", "/boards/{board}/archive", {}, board(OWNER_ONLY)),
    "boards.restore": ("POST", "/boards/{board}/restore", {}, board(MEMBERS)),
    "activity.board": ("GET", "/boards/{board}/activity", {}, board(MEMBERS)),
    "activity.task": ("GET", "/tasks/{task}/history", {}, board(MEMBERS)),
    # alice's move: only she undoes it
    "activity.undo": ("POST", "/boards/{board}/undo/{event}", {}, board(OWNER_ONLY)),
    # alice's command's notice in dave's room: only she undoes it (erin is not in the room)
    "composer.undo": (
        "POST",
        "/rooms/{room}/notices/{notice}/undo",
        {},
        board({"board_member": 404, "room_member": 403, "room_creator": 403, "board_owner": OK}),
    ),
    "archive.archived": ("GET", "/boards/{board}/archived", {}, board(MEMBERS)),
    "members.index": ("GET", "/boards/{board}/members", {}, board(MEMBERS)),
    "members.create": ("POST", "/boards/{board}/members", {}, board(OWNER_ONLY)),
    # removing erin: erin herself may (she leaves), and the owner may
    "members.delete": (
        "POST",
        "/boards/{board}/members/{erin}/delete",
        {},
        board({"board_member": OK, "room_member": 403, "room_creator": 403, "board_owner": OK}),
    ),
    # mallory's pending invitation: the owner cancels it; only mallory answers it
    "invitations.cancel": (
        "POST",
        "/boards/{board}/invitations/{invitation}/delete",
        {},
        board(OWNER_ONLY),
    ),
    "invitations.accept": ("POST", "/invitations/{invitation}/accept", {}, INVITEE_ONLY),
    "invitations.decline": ("POST", "/invitations/{invitation}/decline", {}, INVITEE_ONLY),
    "invitations.reset_link": ("POST", "/boards/{board}/invite-link", {}, board(OWNER_ONLY)),
    "invitations.disable_link": (
        "POST",
        "/boards/{board}/invite-link/delete",
        {},
        board(OWNER_ONLY),
    ),
    # the link: anyone logged in (members are sent to the board)
    "invitations.join": ("GET", "/join/{code}", {}, {"anonymous": LOGIN, **ANY_USER}),
    "invitations.join#post": ("POST", "/join/{code}", {}, {"anonymous": LOGIN, **ANY_USER}),
    "columns.create": ("POST", "/boards/{board}/columns", {}, board(MEMBERS)),
    "columns.rename": ("POST", "/columns/{column}/rename", {}, board(MEMBERS)),
    "columns.move": ("POST", "/columns/{column}/move", {}, board(MEMBERS)),
    "archive.archive_column": ("GET", "/columns/{column}/delete", {}, board(MEMBERS)),
    "archive.archive_column#post": ("POST", "/columns/{column}/archive", {}, board(MEMBERS)),
    "archive.restore_column": ("POST", "/columns/{column}/restore", {}, board(MEMBERS)),
    "columns.cards": ("GET", "/columns/{column}/cards", {}, board(MEMBERS)),
    "tasks.create": ("GET", "/columns/{column}/tasks/new", {}, board(MEMBERS)),
    "tasks.create#post": ("POST", "/columns/{column}/tasks/new", {}, board(MEMBERS)),
    "tasks.show": ("GET", "/tasks/{task}", {}, board(MEMBERS)),
    "tasks.edit": ("GET", "/tasks/{task}/edit", {}, board(MEMBERS)),
    "tasks.edit#post": ("POST", "/tasks/{task}/edit", {}, board(MEMBERS)),
    "tasks.archive": ("GET", "/tasks/{task}/delete", {}, board(MEMBERS)),
    "tasks.archive#post": ("POST", "/tasks/{task}/archive", {}, board(MEMBERS)),
    "tasks.restore": ("POST", "/tasks/{task}/restore", {}, board(MEMBERS)),
    "tasks.move": ("GET", "/tasks/{task}/move", {}, board(MEMBERS)),
    "tasks.move#post": ("POST", "/tasks/{task}/move", {}, board(MEMBERS)),
    # Labels (issue 23): any member of the board (an empty form: refused, 422)
    "labels.index": ("GET", "/boards/{board}/labels", {}, board(MEMBERS)),
    "labels.create": ("POST", "/boards/{board}/labels", {}, board(MEMBERS)),
    "labels.edit": ("POST", "/labels/{label}/edit", {}, board(MEMBERS)),
    "labels.delete": ("POST", "/labels/{label}/delete", {}, board(MEMBERS)),
    "labels.task": ("GET", "/tasks/{task}/labels", {}, board(MEMBERS)),
    "labels.task#post": ("POST", "/tasks/{task}/labels", {}, board(MEMBERS)),
    # Checklists (issue 23): any member of the board
    "checklists.add": ("POST", "/tasks/{task}/checklist", {"text": "x"}, board(MEMBERS)),
    "checklists.toggle": ("POST", "/checklist/{item}/toggle", {}, board(MEMBERS)),
    "checklists.edit": ("GET", "/checklist/{item}/edit", {}, board(MEMBERS)),
    "checklists.edit#post": ("POST", "/checklist/{item}/edit", {"text": "y"}, board(MEMBERS)),
    "checklists.delete": ("POST", "/checklist/{item}/delete", {}, board(MEMBERS)),
    "checklists.move": ("POST", "/checklist/{item}/move", {"direction": "down"}, board(MEMBERS)),
    "checklists.make_task": ("POST", "/checklist/{item}/task", {}, board(MEMBERS)),
    # Watching a task (issue 23): any member of the board
    "watches.toggle": ("POST", "/tasks/{task}/watch", {"action": "watch"}, board(MEMBERS)),
    # A card's popups from the board's keys (issue 23): every kind, any member of the board
    "quick.popup": ("GET", "/tasks/{task}/quick/assign", {}, board(MEMBERS)),
    "quick.popup#post": (
        "POST",
        "/tasks/{task}/quick/assign",
        {"assignee_id": "0"},
        board(MEMBERS),
    ),
    # a kind there is not: not found, for members too
    "quick.popup#unknown": ("GET", "/tasks/{task}/quick/nothing", {}, board(NOT_FOUND)),
    # Export (issue 23): any member of the board; import: anyone logged in (no file: refused,
    # 422); alice's import: hers only
    "transfer.export_json": ("GET", "/boards/{board}/export.json", {}, board(MEMBERS)),
    "transfer.export_csv": ("GET", "/boards/{board}/export.csv", {}, board(MEMBERS)),
    "transfer.import_board": ("POST", "/boards/import", {}, {"anonymous": LOGIN, **ANY_USER}),
    "transfer.status": (
        "GET",
        "/imports/{board_import}",
        {},
        board({"board_member": 404, "room_member": 404, "room_creator": 404, "board_owner": OK}),
    ),
    # A task's chip (issue 24): its board's members get it; anyone else logged in the same
    # 204 as for a task that is not there (the text stays as typed)
    "chips.by_id": ("GET", "/tasks/{task}/chip", {}, {"anonymous": LOGIN, **ANY_USER}),
    "chips.of_page": ("GET", "/chips?ids={task}", {}, {"anonymous": LOGIN, **ANY_USER}),
    # Make task (issue 24): whoever reads bob's message (the room's members) or comment (the
    # board's); an empty form is refused (422). The world's task was made from nothing: 404
    "make_task.from_message": ("GET", "/messages/{message}/make-task", {}, board(ROOM)),
    "make_task.from_message#post": ("POST", "/messages/{message}/make-task", {}, board(ROOM)),
    "make_task.from_comment": ("GET", "/comments/{comment}/make-task", {}, board(MEMBERS)),
    "make_task.from_comment#post": ("POST", "/comments/{comment}/make-task", {}, board(MEMBERS)),
    "make_task.source": ("GET", "/tasks/{task}/source", {}, board(NOT_FOUND)),
    "comments.create": ("POST", "/tasks/{task}/comments", {}, board(MEMBERS)),
    # bob's comment: only bob edits; bob or the board owner deletes
    "comments.edit": (
        "GET",
        "/comments/{comment}/edit",
        {},
        board({"board_member": 403, "room_member": OK, "room_creator": 403, "board_owner": 403}),
    ),
    "comments.edit#post": (
        "POST",
        "/comments/{comment}/edit",
        {},
        board({"board_member": 403, "room_member": OK, "room_creator": 403, "board_owner": 403}),
    ),
    "comments.delete": (
        "POST",
        "/comments/{comment}/delete",
        {},
        board({"board_member": 403, "room_member": OK, "room_creator": 403, "board_owner": OK}),
    ),
    "comments.delete#get": (
        "GET",
        "/comments/{comment}/delete",
        {},
        board({"board_member": 403, "room_member": OK, "room_creator": 403, "board_owner": OK}),
    ),
    "rooms.index": ("GET", "/boards/{board}/rooms", {}, board(MEMBERS)),
    "rooms.create": ("GET", "/boards/{board}/rooms/new", {}, board(MEMBERS)),
    "rooms.create#post": ("POST", "/boards/{board}/rooms/new", {}, board(MEMBERS)),
    "rooms.show": ("GET", "/rooms/{room}", {}, board(ROOM)),
    # bob and erin's direct message: theirs only, whatever else anyone manages
    "rooms.show#direct": ("GET", "/rooms/{direct}", {}, board(DIRECT)),
    # dave's open room: every board member reads it, joined or not (issue 22: a Join bar)
    "rooms.show#open": ("GET", "/rooms/{open_room}", {}, board(MEMBERS)),
    # ...and writes in it only once joined
    "rooms.post_message#open": (
        "POST",
        "/rooms/{open_room}/messages",
        {},
        board({"board_member": 404, "room_member": 404, "room_creator": OK, "board_owner": 404}),
    ),
    "rooms.post_message": ("POST", "/rooms/{room}/messages", {}, board(ROOM)),
    "rooms.read": ("POST", "/rooms/{room}/read", {}, board(ROOM)),
    # an empty form: refused (400) for a member, never a 5xx
    "rooms.set_level": ("POST", "/rooms/{room}/level", {}, board(ROOM)),
    "rooms.members": (
        "GET",
        "/rooms/{room}/members",
        {},
        board({"board_member": 404, "room_member": 403, "room_creator": OK, "board_owner": OK}),
    ),
    "rooms.add_member": (
        "POST",
        "/rooms/{room}/members",
        {},
        board({"board_member": 404, "room_member": 403, "room_creator": OK, "board_owner": OK}),
    ),
    "rooms.delete": (
        "GET",
        "/rooms/{room}/delete",
        {},
        board({"board_member": 404, "room_member": 403, "room_creator": OK, "board_owner": OK}),
    ),
    "rooms.delete#post": (
        "POST",
        "/rooms/{room}/delete",
        {},
        board({"board_member": 404, "room_member": 403, "room_creator": OK, "board_owner": OK}),
    ),
    "rooms.remove_member": (
        "POST",
        "/rooms/{room}/members/{bob}/delete",
        {},
        board({"board_member": 404, "room_member": 403, "room_creator": OK, "board_owner": OK}),
    ),
    # the private room: nobody joins it (its members are added by its managers)
    "membership.join": ("POST", "/rooms/{room}/join", {}, board(NOT_FOUND)),
    # dave's open room: any board member joins it
    "membership.join#open": ("POST", "/rooms/{open_room}/join", {}, board(MEMBERS)),
    "membership.leave": ("GET", "/rooms/{room}/leave", {}, board(ROOM)),
    "membership.leave#post": ("POST", "/rooms/{room}/leave", {}, board(ROOM)),
    # a direct message's people may leave it (issue 20); nobody else finds it
    "membership.leave#direct": ("POST", "/rooms/{direct}/leave", {}, board(DIRECT)),
    # an empty form: refused (400) for a manager, never a 5xx
    "membership.visibility": (
        "POST",
        "/rooms/{room}/visibility",
        {},
        board({"board_member": 404, "room_member": 403, "room_creator": OK, "board_owner": OK}),
    ),
    "direct.index": ("GET", "/direct", {}, {"anonymous": LOGIN, **ANY_USER}),
    "direct.create": ("GET", "/direct/new", {}, {"anonymous": LOGIN, **ANY_USER}),
    # an empty form: refused (422) for a user, never a 5xx
    "direct.create#post": ("POST", "/direct/new", {}, {"anonymous": LOGIN, **ANY_USER}),
    # bob's message: only bob edits or deletes it
    "messages.edit": (
        "GET",
        "/messages/{message}/edit",
        {},
        board({"board_member": 404, "room_member": OK, "room_creator": 403, "board_owner": 403}),
    ),
    "messages.edit#post": (
        "POST",
        "/messages/{message}/edit",
        {},
        board({"board_member": 404, "room_member": OK, "room_creator": 403, "board_owner": 403}),
    ),
    "messages.delete": (
        "POST",
        "/messages/{message}/delete",
        {},
        board({"board_member": 404, "room_member": OK, "room_creator": 403, "board_owner": 403}),
    ),
    "messages.delete#get": (
        "GET",
        "/messages/{message}/delete",
        {},
        board({"board_member": 404, "room_member": OK, "room_creator": 403, "board_owner": 403}),
    ),
    # a message as it is now (an edit's Cancel) and as a reply target: whoever reads the room
    "messages.show": ("GET", "/messages/{message}", {}, board(ROOM)),
    "messages.reply": ("GET", "/messages/{message}/reply", {}, board(ROOM)),
    # reactions: whoever reads the message (the room's members) or the comment (the board's)
    "message_reactions.toggle": ("GET", "/messages/{message}/reactions", {}, board(ROOM)),
    "message_reactions.toggle#post": (
        "POST",
        "/messages/{message}/reactions",
        {"emoji": "heart"},
        board(ROOM),
    ),
    "comment_reactions.toggle": ("GET", "/comments/{comment}/reactions", {}, board(MEMBERS)),
    "comment_reactions.toggle#post": (
        "POST",
        "/comments/{comment}/reactions",
        {"emoji": "heart"},
        board(MEMBERS),
    ),
    "autocomplete.room": ("GET", "/rooms/{room}/mentions", {}, board(ROOM)),
    "autocomplete.task": ("GET", "/tasks/{task}/mentions", {}, board(MEMBERS)),
    "notifications.index": ("GET", "/notifications", {}, {"anonymous": LOGIN, **ANY_USER}),
    "notifications.badge": ("GET", "/notifications/badge", {}, {"anonymous": LOGIN, **ANY_USER}),
    "notifications.read_all": (
        "POST",
        "/notifications/read-all",
        {},
        {"anonymous": LOGIN, **ANY_USER},
    ),
    # bob's notification: someone else's is not there at all
    "notifications.view": (
        "POST",
        "/notifications/{notification}/view",
        {},
        board({"board_member": 404, "room_member": OK, "room_creator": 404, "board_owner": 404}),
    ),
    "notifications.dismiss": (
        "POST",
        "/notifications/{notification}/delete",
        {},
        board({"board_member": 404, "room_member": OK, "room_creator": 404, "board_owner": 404}),
    ),
}

# socket: (path, {role: "open" or a close code})
SOCKETS = {
    "ws.chat_room": (
        "/ws/chat-room/{room}",
        {
            "anonymous": 4404,
            "outsider": 4404,
            "board_member": 4404,
            "room_member": "open",
            "room_creator": "open",
            "board_owner": "open",
        },
    ),
    "ws.chat_room#open": (
        "/ws/chat-room/{open_room}",
        {
            "anonymous": 4404,
            "outsider": 4404,
            # every board member reads it, joined or not (issue 22); writes once joined
            "board_member": "open",
            "room_member": "open",
            "room_creator": "open",
            "board_owner": "open",
        },
    ),
    "ws.chat_room#direct": (
        "/ws/chat-room/{direct}",
        {
            "anonymous": 4404,
            "outsider": 4404,
            "board_member": "open",
            "room_member": "open",
            "room_creator": 4404,
            "board_owner": 4404,
        },
    ),
    "ws.board": (
        "/ws/board/{board}",
        {"anonymous": 4404, "outsider": 4404, **{r: "open" for r in MEMBERS}},
    ),
    "ws.task_comments": (
        "/ws/task-comments/{task}",
        {"anonymous": 4404, "outsider": 4404, **{r: "open" for r in MEMBERS}},
    ),
    "ws.personal": ("/ws/notifications", {"anonymous": 4401, **{r: "open" for r in ROLES[1:]}}),
    "ws.notification_center": (
        "/ws/notifications/center",
        {"anonymous": 4401, **{r: "open" for r in ROLES[1:]}},
    ),
    "ws.room_list": (
        "/ws/rooms/{board}",
        {"anonymous": 4404, "outsider": 4404, **{r: "open" for r in MEMBERS}},
    ),
    "ws.my_tasks_socket": ("/ws/my-tasks", {"anonymous": 4401, **{r: "open" for r in ROLES[1:]}}),
}


@pytest.fixture
def people(make_user, app):
    for name in ["mallory", "erin", "bob", "dave", "alice"]:
        make_user(name)
    with app.app_context():
        return {name: User.by_username(name).id for name in USERS.values()}


def make_world(app, ids: dict) -> dict:
    """Board (alice owns; erin, bob, dave members), dave's private room (with bob and alice),
    dave's open room (only dave in it), bob and erin's direct message, a task with a
    checklist item, bob's comment, bob's message, a notification for bob, an invitation for
    mallory, an invite link and alice's import of the board."""
    with app.app_context():
        users = {name: db.session.get(User, uid) for name, uid in ids.items()}
        board = Board.create("B", "", users["alice"])
        for name in ("erin", "bob", "dave"):
            board.add_member(users[name])
        room = ChatRoom(board, "r", "", users["dave"])
        room.members += [users["bob"], users["alice"]]
        open_room = ChatRoom(board, "o", "", users["dave"], kind=OPEN)
        pair = [users["bob"], users["erin"]]  # one direct message per pair: the first world's
        direct = ChatRoom.direct_between(u.id for u in pair) or ChatRoom.direct(pair, pair[0])
        db.session.add_all([open_room, direct])
        task = Task(column=board.columns[0], title="T", position=0, checklist_total=1)
        item = ChecklistItem(task=task, text="i", position=0)
        comment = TaskThreadComment(task=task, author=users["bob"], content="c")
        message = ChatMessage(room=room, author=users["bob"], content="m", notified_at=None)
        label = Label(board_id=board.id, name="l")
        db.session.add_all([room, task, item, comment, message, label])
        db.session.flush()
        note = Notification(
            recipient_id=ids["bob"],
            text="n",
            type="chat_mention",
            chat_message_id=message.id,
            dedupe_key=f"k{message.id}",
        )
        invitation = Invitation(board=board, invitee=users["mallory"], invited_by=users["alice"])
        link = InviteLink.reset(board, users["alice"], None)
        # alice moved the task: her Undo (refused once the rules are checked: 409, "it
        # changed since", as its data say nothing of where it went).
        event = TaskEvent(
            board_id=board.id, task_id=task.id, actor=users["alice"], kind="moved", data={}
        )
        board_import = BoardImport(
            user_id=ids["alice"], filename="b.json", kind="taskflow", status=DONE, board_id=board.id
        )
        db.session.add_all([note, invitation, event, board_import])
        db.session.flush()
        notice = ChatMessage(
            room=room, author=users["alice"], content="moved", kind="notice", event_id=event.id
        )
        db.session.add(notice)
        db.session.commit()
        world = {
            "board": board.id,
            "column": board.columns[0].id,
            "task": task.id,
            "item": item.id,
            "label": label.id,
            "comment": comment.id,
            "room": room.id,
            "open_room": open_room.id,
            "direct": direct.id,
            "message": message.id,
            "notification": note.id,
            "invitation": invitation.id,
            "code": link.code,
            "erin": ids["erin"],
            "bob": ids["bob"],
            "event": event.id,
            "notice": notice.id,
            "board_import": board_import.id,
        }
        db.session.remove()
        return world


def outcome(response) -> object:
    if response.status_code == 302 and "/login" in response.location:
        return LOGIN
    if response.status_code in (403, 404):
        return response.status_code
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return OK


def test_every_endpoint_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    described = {name.split("#")[0] for name in [*ENDPOINTS, *SOCKETS]}
    assert endpoints == described
    for name, (_, _, _, expected) in ENDPOINTS.items():
        assert set(expected) == set(ROLES), name


def logged_in(app, role: str) -> Client:
    return Client(app.test_client()) if role == "anonymous" else as_user(app, USERS[role])


def test_every_route_against_every_role(app, people):
    clients = {role: logged_in(app, role) for role in ROLES}
    checked = 0
    for name, (method, url, data, expected) in ENDPOINTS.items():
        for role in ROLES:
            world = make_world(app, people)
            # Logging out ends the session: that check gets a client of its own.
            ends = name in ("auth.logout", "account.logout_everywhere")
            client = logged_in(app, role) if ends else clients[role]
            path = url.format(**world)
            send = client.get if method == "GET" else client.post
            got = outcome(send(path, data) if method == "POST" else send(path))
            assert got == expected[role], f"{name} {method} {path} as {role}: {got}"
            if ends:  # "everywhere" ended the shared client's session too: a new one
                clients[role] = logged_in(app, role)
            checked += 1
    assert checked == len(ENDPOINTS) * len(ROLES)


def test_every_socket_against_every_role(app, people, live_server):
    world = make_world(app, people)
    sessions = {role: http_login(live_server, name) for role, name in USERS.items()}
    for name, (path, expected) in SOCKETS.items():
        for role in ROLES:
            ws = ws_connect(live_server, path.format(**world), sessions.get(role))
            if expected[role] == "open":
                assert 'id="notification-badge"' in receive_until(ws, "notification-badge"), (
                    name,
                    role,
                )
                ws.close()
            else:
                assert close_code(ws) == expected[role], (name, role)


def test_acting_on_another_boards_ids(app, people):
    mine, theirs = make_world(app, people), make_world(app, people)
    alice = Client(app.test_client())
    alice.login("alice")
    with app.app_context():  # alice leaves the second board to the others
        board = db.session.get(Board, theirs["board"])
        board.owner_id = people["dave"]
        board.remove_member(db.session.get(User, people["alice"]))
        db.session.commit()
    foreign_column = theirs["column"]
    assert (
        alice.post(f"/tasks/{mine['task']}/move", {"column_id": foreign_column}).status_code == 404
    )
    assert alice.post(f"/rooms/{theirs['room']}/messages", {"content": "x"}).status_code == 404
    assert alice.post(f"/notifications/{theirs['notification']}/view").status_code == 404
    for room in (mine, theirs):  # a notice of another board's room is no notice of this room
        assert (
            alice.post(f"/rooms/{room['room']}/notices/{theirs['notice']}/undo").status_code == 404
        )
    assert alice.post(f"/columns/{foreign_column}/tasks/new", {"title": "x"}).status_code == 404
    with app.app_context():
        assert db.session.get(Task, mine["task"]).column_id == mine["column"]
        assert ChatMessage.query.filter_by(room_id=theirs["room"], kind="text").count() == 1
        assert db.session.get(Notification, theirs["notification"]).is_read is False
