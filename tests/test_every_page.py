"""Every page of the app, in Chromium, at 1280, 390 and 360 px, light and dark (issues 14
and 22): no element leaves the viewport sideways (except inside a container that scrolls
sideways by design, such as the kanban strip), the console stays empty and, at 1280 and 390,
axe-core finds nothing; logged out, logged in with nothing yet, and with a realistic board,
rooms, a direct message, an invitation and notifications. The walk screenshots every page
(full page) in every mode: into pytest's tmp_path, or WALK_SCREENSHOTS=dir to look at them.

Each test visits the whole list in one browser context and reports every page's problems at
once, so one run shows all that is left. `test_every_get_route_is_visited` keeps the list
complete: a new GET route fails it until it is added here (or said not to be a page)."""

import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, ChecklistItem, Label, TaskThreadComment, User

from .a11y import (
    AXE_MODE_IDS,
    AXE_MODES,
    MODE_IDS,
    MODES,
    SMALL_PHONE,
    axe_violations,
    context_for,
    off_screen,
    watch_console,
)
from .conftest import as_user, browser_login, expect_settled, run_jobs
from .helpers import add_member, columns, create_board, create_task

# What htmx has done on the page, counted on <html> by a script the test adds to every
# document (through the DevTools protocol: not the page's own code, nor subject to its CSP):
# data-test-badge, frames from the socket that carried the user's badge (a page's socket
# sends its catch-up, then the badge last: conftest.following), data-test-comment-N, frames
# that carried that comment, and data-test-request-PATH (/ as -), htmx requests of that
# path answered and swapped.
# Each is counted once htmx has swapped all of the frame or answer, so whatever the swap
# logged to the console has been logged by then.
COUNT_SWAPS = """
(() => {
  const count = (name) => {
    const root = document.documentElement;
    const seen = +(root.getAttribute(`data-test-${name}`) || 0);
    root.setAttribute(`data-test-${name}`, String(seen + 1));
  };
  document.addEventListener("htmx:wsAfterMessage", (event) => {
    const message = String((event.detail && event.detail.message) || "");
    if (message.includes('id="notification-badge"')) count("badge");
    for (const found of message.matchAll(/data-comment-id="(\\d+)"/g)) count(`comment-${found[1]}`);
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.target !== event.detail.elt) return; // the same request, seen on its target
    const path = (event.detail.pathInfo && event.detail.pathInfo.requestPath) || "";
    count(`request${path.split("?")[0].replace(/[^a-z0-9]/g, "-")}`);
  });
})();
"""

# GET routes that are not pages: fragments for htmx, sockets, files, probes.
NOT_PAGES = {
    "static",
    "transfer.export_json",  # a file to download (test_board_transfer.py)
    "transfer.export_csv",
    "main.healthz",
    "main.viewer_css",
    "notifications.badge",
    "autocomplete.room",
    "autocomplete.task",
    "messages.reply",  # a message's reply target (room.js); without JavaScript a redirect
    "messages.show",  # a message as it is (an editor's Cancel); without JavaScript a redirect
    "chips.by_id",  # a task's chip, loaded by a live copy of a text (htmx)
    "chips.of_page",  # a page's chips, asked for again when its socket (re)opens (live.js)
    "make_task.source",  # a task's link back to its message or comment: a redirect
    "ws.board",
    "ws.chat_room",
    "ws.personal",
    "ws.notification_center",
    "ws.room_list",
    "ws.task_comments",
    "ws.my_tasks_socket",
}


@dataclass(frozen=True)
class Page:
    name: str  # what the report calls it
    path: str
    who: str  # "anon" (logged out), "dave" (a new user: empty), "alice" (data), "bob", "carol"
    ready: str | None = None  # a selector that is on screen once the page is complete
    status: int = 200


@pytest.fixture
def data(app, make_user) -> dict:
    """A team at work, made through the app's own routes as its users would: board "Launch"
    (alice owns it, bob is a member, carol is invited and has not answered, an invite link),
    tasks in every column, one with a comment thread (a mention, a reaction) and one with
    none, an open room with a conversation (a mention, a reply, a reaction), a private room,
    a room nobody wrote in (open: bob left it, to read it before joining), a second board
    with no tasks and no rooms, a direct message between alice and bob, and alice's
    notifications. Dave is on nothing.
    Users are made directly (no sign-up per test); everything else through the routes."""
    for name in ("alice", "bob", "carol", "dave"):
        make_user(name)
    with app.app_context():
        ids = {name: User.by_username(name).id for name in ("alice", "bob", "carol", "dave")}
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    # Display names, with the @username beside them where identity decides trust (issue 20).
    for client, name in ((alice, "Alice Martin"), (as_user(app, "carol"), "Carol Diaz")):
        profile = {"display_name": name, "time_zone": "UTC", "avatar_color": "#0b57d0"}
        assert client.post("/profile", profile).status_code == 302

    board_id = create_board(
        alice, "Launch", "Everything for the **launch** of the new site, from copy to servers."
    )
    add_member(alice, board_id, "bob", bob)
    assert alice.post(f"/boards/{board_id}/members", {"username": "carol"}).status_code == 302
    assert alice.post(f"/boards/{board_id}/invite-link", {"expiry": "never"}).status_code == 302
    members_page = alice.get(f"/boards/{board_id}/members").get_data(as_text=True)
    code = re.search(
        r'id="invite-link-url" type="text" readonly value="[^"]*/join/([^"]+)"', members_page
    )[1]

    (todo, _, todo_titles), (doing, _, _), (done, _, _) = columns(app, board_id)
    assert todo_titles == []
    talked = create_task(
        alice,
        todo,
        "Write the launch post",
        description="A short post: what it does, *who* it is for, and a link.",
        assignee_id=ids["bob"],
        due_date="2026-12-01",
        priority="high",
    )
    create_task(alice, todo, "Fix the login bug", priority="low")
    quiet = create_task(bob, doing, "Design the logo", assignee_id=ids["alice"])
    create_task(alice, done, "Set up the servers")
    # Labels (issue 23): two on the board, both on the task with comments.
    for name, colour in (("bug", "red"), ("needs review", "purple")):
        label = {"name": name, "colour": colour}
        assert alice.post(f"/boards/{board_id}/labels", label).status_code == 302
    with app.app_context():
        label_ids = [str(label.id) for label in Label.of_board(board_id)]
    assert alice.post(f"/tasks/{talked}/labels", {"label_ids": label_ids}).status_code == 302
    old = create_task(alice, done, "An old idea")  # archived: on the board's Archived page
    assert alice.post(f"/tasks/{old}/archive").status_code == 302

    # A checklist (issue 23): one item done by bob, one not; the card shows "1/2".
    for text in ("Draft the post", "Ask for a review"):
        assert alice.post(f"/tasks/{talked}/checklist", {"text": text}).status_code == 302
    with app.app_context():
        first_item, _ = (i.id for i in ChecklistItem.of_task(talked))
    assert bob.post(f"/checklist/{first_item}/toggle", {"done": "1"}).status_code == 302
    bobs_comment = comment_on(app, bob, talked, "@alice a first draft is up")
    comment_id = comment_on(app, alice, talked, "Thanks, reading it **now**.")
    assert bob.post(f"/comments/{comment_id}/reactions", {"emoji": "heart"}).status_code == 302

    room_form = {
        "name": "general",
        "description": "Anything about the launch",
        "members": [ids["bob"]],
    }
    assert alice.post(f"/boards/{board_id}/rooms/new", room_form).status_code == 302
    private_form = {"name": "leads", "kind": "private", "members": [ids["bob"]]}
    assert alice.post(f"/boards/{board_id}/rooms/new", private_form).status_code == 302
    quiet_form = {"name": "random", "members": [ids["bob"]]}
    assert alice.post(f"/boards/{board_id}/rooms/new", quiet_form).status_code == 302
    with app.app_context():
        rooms = {r.name: r.id for r in db.session.scalars(db.select(ChatRoom)) if r.name}
    general, leads = rooms["general"], rooms["leads"]
    # bob leaves the open room nobody wrote in: he reads it before joining (issue 22)
    assert bob.post(f"/rooms/{rooms['random']}/leave").status_code == 302
    # Empty states: a room nobody has written in, a board with no tasks and no rooms.
    bare_board = create_board(alice, "Side project")

    def say(client, room_id: int, content: str, **form) -> int:
        response = client.post(f"/rooms/{room_id}/messages", {"content": content, **form})
        assert response.status_code == 302, response.get_data(as_text=True)
        with app.app_context():
            return db.session.scalar(db.select(ChatMessage.id).order_by(ChatMessage.id.desc()))

    welcome = say(alice, general, "Welcome, **team**! The launch is on Friday.")
    question = say(bob, general, "@alice shall we ship the post on Thursday?")
    say(alice, general, "Yes, Thursday morning.", reply_to=question)
    assert bob.post(f"/messages/{welcome}/reactions", {"emoji": "tada"}).status_code == 302
    say(bob, leads, "Budget looks fine.")
    # A message made into a task, and one that points at tasks (their chips, issue 24)
    made = {"title": "Launch post", "column_id": todo, "priority": "medium"}
    assert alice.post(f"/messages/{welcome}/make-task", made).status_code == 302
    say(bob, general, "#1 first, then #2 and #99.")
    say(alice, general, "/new Write the launch post")  # a command's notice, with its Undo

    response = alice.post("/direct/new", {"people": [ids["bob"]]})
    assert response.status_code == 302, response.get_data(as_text=True)
    direct = int(response.location.rsplit("/", 1)[1])
    say(bob, direct, "Lunch after the launch?")
    moved_in = {"format": "taskflow-board", "version": 1, "board": {"name": "Moved in"},
                "columns": [{"name": "Inbox", "tasks": [{"title": "Unpack"}]}]}  # fmt: skip
    upload = (io.BytesIO(json.dumps(moved_in).encode()), "moved-in.json")
    response = alice.post("/boards/import", {"file": upload})
    assert response.status_code == 302, response.get_data(as_text=True)
    run_jobs(app)  # the mentions' notifications and the import, as the worker would

    return {
        "board": board_id,
        "code": code,
        "columns": (todo, doing, done),
        "task": talked,
        "quiet_task": quiet,
        "comment": comment_id,
        "general": general,
        "leads": leads,
        "quiet_room": rooms["random"],
        "bare_board": bare_board,
        "direct": direct,
        "message": welcome,
        "bobs_comment": bobs_comment,
        "import": int(response.location.rsplit("/", 1)[1]),
        "checklist_item": first_item,
    }


def every_page(data: dict) -> list[Page]:
    board, task, room = data["board"], data["task"], data["general"]
    todo = data["columns"][0]
    online = "#room-members li.online"
    return [
        # Logged out.
        Page("login", "/login", "anon"),
        Page("register", "/register", "anon"),
        Page("home, logged out (to the login)", "/", "anon"),
        Page("invite link, logged out", f"/join/{data['code']}", "anon"),
        # A new user: nothing yet.
        Page("boards, empty", "/boards", "dave"),
        Page("my tasks, empty", "/my-tasks", "dave"),
        Page("search, empty", "/search", "dave"),
        Page("search, nothing found", "/search?q=launch", "dave"),
        Page("notifications, empty", "/notifications", "dave"),
        Page("direct messages, empty", "/direct", "dave"),
        Page("new direct message, no one to write to", "/direct/new", "dave"),
        Page("profile form, empty", "/profile", "dave"),
        Page("account, empty", "/account", "dave"),
        Page("own public profile, empty", "/users/dave", "dave"),
        Page("invite link, logged in", f"/join/{data['code']}", "dave"),
        Page("bad invite link", "/join/no-such-code", "dave", status=404),
        Page("404", f"/boards/{board}", "dave", status=404),
        Page("405", f"/boards/{board}/columns", "dave", status=405),
        # With data.
        Page("home (to the boards)", "/", "alice"),
        Page("boards", "/boards", "alice"),
        Page("my tasks", "/my-tasks", "alice"),
        Page("search results", "/search?q=launch", "alice"),
        Page("search results, filtered", "/search?q=is:task", "alice"),
        Page("search, a bad filter", "/search?q=is:nothing", "alice", status=422),
        Page("board", f"/boards/{board}", "alice"),
        Page("board without tasks", f"/boards/{data['bare_board']}", "alice"),
        Page("rooms, none yet", f"/boards/{data['bare_board']}/rooms", "alice"),
        Page("board edit", f"/boards/{board}/edit", "alice"),
        Page("board delete (its archive first)", f"/boards/{board}/delete", "alice"),
        Page("board activity", f"/boards/{board}/activity", "alice"),
        Page("board's archived tasks and columns", f"/boards/{board}/archived", "alice"),
        Page("board members and invitations", f"/boards/{board}/members", "alice"),
        Page("board labels", f"/boards/{board}/labels", "alice"),
        Page("board, filtered", f"/boards/{board}?q=label:bug", "alice"),
        Page("board, a filter that cannot be applied", f"/boards/{board}?q=due:someday", "alice"),
        Page("task labels (no JavaScript)", f"/tasks/{task}/labels", "alice"),
        Page("board import, done", f"/imports/{data['import']}", "alice"),
        Page("column's cards (no JavaScript)", f"/columns/{todo}/cards", "alice"),
        Page("column delete", f"/columns/{todo}/delete", "alice"),
        Page("new task", f"/columns/{todo}/tasks/new", "alice"),
        Page("task with comments", f"/tasks/{task}", "alice"),
        Page("task without comments", f"/tasks/{data['quiet_task']}", "alice"),
        Page("task edit", f"/tasks/{task}/edit", "alice"),
        Page("task delete (archive)", f"/tasks/{task}/delete", "alice"),
        Page("task history", f"/tasks/{task}/history", "alice"),
        Page("task move (no JavaScript)", f"/tasks/{task}/move", "alice"),
        Page("card's assign popup (no JavaScript)", f"/tasks/{task}/quick/assign", "alice"),
        Page("checklist item edit", f"/checklist/{data['checklist_item']}/edit", "alice"),
        Page("comment edit", f"/comments/{data['comment']}/edit", "alice"),
        Page("comment delete", f"/comments/{data['comment']}/delete", "alice"),
        Page(
            "403 (someone else's comment)",
            f"/comments/{data['bobs_comment']}/edit",
            "alice",
            status=403,
        ),
        Page("comment reactions", f"/comments/{data['comment']}/reactions", "alice"),
        Page("rooms", f"/boards/{board}/rooms", "alice"),
        Page("new room", f"/boards/{board}/rooms/new", "alice"),
        Page("open room", f"/rooms/{room}", "alice", ready=online),
        Page("private room", f"/rooms/{data['leads']}", "alice", ready=online),
        Page("room without messages", f"/rooms/{data['quiet_room']}", "alice", ready=online),
        Page("open room before joining", f"/rooms/{data['quiet_room']}", "bob", ready="#join-bar"),
        Page("room members", f"/rooms/{room}/members", "alice"),
        Page("room leave", f"/rooms/{room}/leave", "alice"),
        Page("room delete", f"/rooms/{room}/delete", "alice"),
        Page("message edit", f"/messages/{data['message']}/edit", "alice"),
        Page("message delete", f"/messages/{data['message']}/delete", "alice"),
        Page("message reactions", f"/messages/{data['message']}/reactions", "alice"),
        Page("make task from a message", f"/messages/{data['message']}/make-task", "alice"),
        Page("make task from a comment", f"/comments/{data['comment']}/make-task", "alice"),
        Page("direct messages", "/direct", "alice"),
        Page("direct message", f"/rooms/{data['direct']}", "alice", ready=online),
        Page("new direct message", "/direct/new", "alice"),
        Page("notifications", "/notifications", "alice"),
        Page("profile form", "/profile", "alice"),
        Page("account", "/account", "alice"),
        Page("someone's profile", "/users/bob", "alice"),
        Page("notifications with an invitation", "/notifications", "carol"),
    ]


def visit_every_page(
    new_context, mode, data: dict, check, *, axe: bool, shots: Path | None = None
) -> list[str]:
    """Open each page in one context (logging in as each user in turn) and run `check(page)`
    on it once it is complete, then screenshot it (the full page) into `shots` if given;
    every problem found, as "mode page: problem"."""
    name, viewport, scheme = mode
    context = context_for(new_context, viewport, scheme, axe=axe)
    context.add_init_script(script=COUNT_SWAPS)
    problems: list[str] = []
    try:
        page = context.new_page()
        messages = watch_console(page)
        page.on("console", lambda msg: messages.extend(more_of(msg)))
        user, read = "anon", 0
        for number, each in enumerate(every_page(data), 1):
            if each.who != user:
                context.clear_cookies()
                if each.who != "anon":
                    browser_login(page, each.who)
                user, read = each.who, len(messages)  # the login page is checked as anon
            response = page.goto(each.path)
            assert response is not None
            where = f"{name}-{scheme} {each.name} ({each.path})"
            if response.status != each.status:
                problems.append(f"{where}: HTTP {response.status}")
            settle(page, each)
            # What came since the last page was checked (a late one of the page before
            # shows up here rather than not at all).
            said, read = messages[read:], len(messages)
            if each.status != 200:  # an error page: its own status is the point
                own = (f"{each.status}: {response.url}", f"  ↳ {response.url}")
                failed = "console.error: Failed to load resource: the server responded with a "
                failed += f"status of {each.status} "
                said = [m for m in said if m not in own and not m.startswith(failed)]
            problems += [f"{where}: {problem}" for problem in check(page, said)]
            if shots:
                page.screenshot(path=shots / shot_name(number, each), full_page=True)
    finally:
        context.close()
    return problems


def shot_name(number: int, each: Page) -> str:
    """ "07-board.png": the walk's order, then the page's name made a file name."""
    return f"{number:02d}-{re.sub(r'[^a-z0-9]+', '-', each.name.lower()).strip('-')}.png"


@pytest.fixture
def shots(tmp_path, request) -> Path:
    """Where the walk puts one mode's screenshots: WALK_SCREENSHOTS/<mode>/ when that is set
    (to look at them after the run), else the test's tmp_path (pytest keeps the last few)."""
    kept = os.environ.get("WALK_SCREENSHOTS")
    folder = Path(kept) / request.node.callspec.id if kept else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def more_of(msg) -> list[str]:
    """What watch_console leaves out: Chromium's advice on the markup ("[DOM] Input
    elements should have autocomplete attributes", a verbose message), and which resource a
    "Failed to load resource" was (its text does not say)."""
    if msg.text.startswith("Failed to load resource"):
        return [f"  ↳ {msg.location.get('url')}"]
    if msg.text.startswith("[DOM]"):
        return [f"console.{msg.type}: {msg.text}"]
    return []


def settle(page, each: Page) -> None:
    """Wait until the page shows all it will: its socket's catch-up swapped in (logged-in
    pages), what `ready` names, and htmx done with what it swapped."""
    if each.who != "anon":
        expect(page.locator("html")).to_have_attribute("data-test-badge", re.compile(r"\d"))
    if each.ready:
        expect(page.locator(each.ready)).not_to_have_count(0)
    expect_settled(page)


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_every_page_keeps_the_console_empty_and_fits(new_context, data, mode, shots):
    def check(page, messages):
        expect_settled(page)
        out = off_screen(page)
        return ([f"off screen: {'; '.join(out)}"] if out else []) + messages

    problems = visit_every_page(new_context, mode, data, check, axe=False, shots=shots)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("mode", AXE_MODES, ids=AXE_MODE_IDS)
def test_every_page_passes_axe(new_context, data, mode):
    problems = visit_every_page(
        new_context, mode, data, lambda page, _: axe_violations(page), axe=True
    )
    assert not problems, "\n".join(problems)


def test_every_get_route_is_visited(app, data):
    adapter = app.url_map.bind("localhost")
    visited = {adapter.match(p.path.split("?")[0])[0] for p in every_page(data) if p.status == 200}
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert routes - NOT_PAGES - visited == set()


def test_live_notifications_and_comments_keep_the_console_empty(app, new_context, data):
    """A notification arriving on a board page, and comments arriving on, and posted from,
    a task page that had none swap in without an error (#notification-list and #no-comments
    are not on every such page)."""
    context = context_for(new_context, *MODES[0][1:])
    context.add_init_script(script=COUNT_SWAPS)
    try:
        page = context.new_page()
        browser_login(page, "alice")
        messages = watch_console(page)
        page.on("console", lambda msg: messages.extend(more_of(msg)))
        root = page.locator("html")
        bob = as_user(app, "bob")

        page.goto(f"/boards/{data['board']}")
        settle(page, Page("board", "", "alice"))
        badges = int(root.get_attribute("data-test-badge"))
        mention = {"content": "@alice the servers are ready"}
        assert bob.post(f"/rooms/{data['general']}/messages", mention).status_code == 302
        run_jobs(app)  # alice's notification, pushed to her pages
        expect(root).to_have_attribute("data-test-badge", str(badges + 1))

        task = data["quiet_task"]
        page.goto(f"/tasks/{task}")
        settle(page, Page("task", "", "alice"))
        expect(page.locator("#no-comments")).to_be_visible()
        first = comment_on(app, bob, task, "First!")
        expect(root).to_have_attribute(f"data-test-comment-{first}", "1")
        expect(page.locator(f"#comment-{first}")).to_be_visible()
        expect(page.locator("#no-comments")).to_have_count(0)

        page.locator("#comment-input").fill("Second, from this page")
        page.locator("#comment-input").press("Enter")
        expect(page.locator(".comment", has_text="Second, from this page")).to_be_visible()
        mine = newest_comment(app)
        # Both copies arrived: the socket's and the answer to the page's own request.
        expect(root).to_have_attribute(f"data-test-comment-{mine}", "1")
        expect(root).to_have_attribute(f"data-test-request-tasks-{task}-comments", "1")
        expect_settled(page)
        assert messages == [], "\n".join(messages)
    finally:
        context.close()


def comment_on(app, client, task_id: int, content: str) -> int:
    response = client.post(f"/tasks/{task_id}/comments", {"content": content})
    assert response.status_code == 302, response.get_data(as_text=True)
    return newest_comment(app)


def newest_comment(app) -> int:
    with app.app_context():
        found = db.session.scalar(
            db.select(TaskThreadComment.id).order_by(TaskThreadComment.id.desc())
        )
        db.session.remove()
        return found


def test_password_and_username_fields_say_what_they_are(client, login):
    """Password managers and phone keyboards know each field: Chromium warns in the console
    about password fields without `autocomplete`."""
    fields = re.compile(r'<input[^>]*type="password"[^>]*>|<input[^>]*name="username"[^>]*>')
    pages = {path: client.get(path).get_data(as_text=True) for path in ("/login", "/register")}
    pages["/account"] = login("alice").get("/account").get_data(as_text=True)
    found = {path: fields.findall(html) for path, html in pages.items()}
    assert [len(each) for each in found.values()] == [2, 3, 4]
    kinds = {
        path: [re.search(r'autocomplete="([^"]+)"', f)[1] for f in each]
        for path, each in found.items()
    }
    assert kinds == {
        "/login": ["username", "current-password"],
        "/register": ["username", "new-password", "new-password"],
        "/account": ["username", "current-password", "new-password", "new-password"],
    }
    # The password change form names its user, hidden, in a text field (as password managers
    # need it), and it is the user's own.
    assert re.search(
        r'<input[^>]*hidden[^>]*name="username"[^>]*type="text"[^>]*value="alice"',
        pages["/account"],
    )


# Each element's box, [left, top, width, height].
BOXES = """els => els.map((e) => {
  const b = e.getBoundingClientRect();
  return [b.left, b.top, b.width, b.height];
})"""

# Pairs of visible elements inside each match of a selector that overlap (neither inside
# the other), as "a / b".
OVERLAPS = """els => els.flatMap((root) => {
  const all = [...root.querySelectorAll('*')].filter((e) => e.checkVisibility());
  const found = [];
  for (const a of all) for (const b of all) {
    if (a === b || a.contains(b) || b.contains(a) || found.length > 5) continue;
    const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
    const x = Math.min(p.right, q.right) - Math.max(p.left, q.left);
    const y = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
    const name = (e) => e.outerHTML.slice(0, 60);
    if (x > 1 && y > 1 && a.compareDocumentPosition(b) & 4) found.push(`${name(a)} / ${name(b)}`);
  }
  return found;
})"""


def test_pages_line_up_on_a_small_phone(new_context, data):
    """What the walk's screenshots showed out of line at 360 px (issue 22), checked by the
    boxes: member rows (an avatar squashed to an oval, a @username split over two lines, the
    room's member list's avatar stretched across the row), a room card's unread count drawn
    as a bar across the card, the reaction page's hint under its buttons, the column and task
    delete pages' choices and Cancel out of line, the comment edit page's editor pushed right
    of an avatar it does not show, a direct message's count off its name's line and the
    profile's colours in ragged columns. Every problem is reported at once."""
    context = context_for(new_context, SMALL_PHONE, "light")
    try:
        page = context.new_page()
        browser_login(page, "alice")

        def boxes(selector: str) -> list[list[float]]:
            found = page.locator(selector).evaluate_all(BOXES)
            assert found, selector
            return found

        def overlaps(selector: str) -> list[str]:
            return page.locator(selector).evaluate_all(OVERLAPS)

        problems: list[str] = []

        def check(holds: bool, what: str) -> None:
            if not holds:
                problems.append(f"{page.url}: {what}")

        for path in (f"/boards/{data['board']}/members", f"/rooms/{data['general']}/members"):
            page.goto(path)
            square = [abs(w - h) < 1 for _, _, w, h in boxes(".member-list .avatar")]
            check(all(square), "an avatar is not round")
            check(not (found := overlaps(".member-list li")), f"overlap: {found}")
        page.goto(f"/boards/{data['board']}/members")
        check(all(h < 24 for *_, h in boxes(".member-list .handle")), "a @username split")

        page.goto(f"/boards/{data['board']}/rooms")
        check(all(w < 40 for _, _, w, _ in boxes(".room-card .unread-count")), "a count's bar")

        page.goto(f"/messages/{data['message']}/reactions")
        check(not (found := overlaps("main")), f"overlap: {found}")

        for path in (f"/columns/{data['columns'][0]}/delete", f"/tasks/{data['task']}/delete"):
            page.goto(path)
            (_, button, _, _), (_, cancel, _, _) = boxes("main form button.danger, main form a")
            check(abs(button - cancel) < 1, "Cancel is not level with the button")

        page.goto(f"/comments/{data['comment']}/edit")
        [[title, *_]], [[editor, *_]] = boxes("main h1"), boxes("main .composer")
        check(abs(title - editor) < 1, "the editor is not under the title's left edge")

        page.goto("/direct")
        (_, top, _, height), (_, count_top, _, count_height) = (
            boxes(".direct-list a")[0],
            boxes(".direct-list .unread-count")[0],
        )
        middle, count_middle = top + height / 2, count_top + count_height / 2
        # Its own height (not stretched to the row's, its number at the top), centred.
        check(count_height < 22, "the count is stretched to the row's height")
        check(abs(middle - count_middle) < 1, "the count is off the name's line")

        page.goto("/profile")
        columns_ = {round(left) for left, *_ in boxes(".colour")}
        check(len(columns_) == 2, f"the colours are not in two columns: {sorted(columns_)}")
        assert not problems, "\n".join(problems)
    finally:
        context.close()
