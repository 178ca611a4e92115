"""Every user-controlled field, filled with known XSS payloads, shows as plain text in real
Chromium: no script runs, no dialog opens, no markup breaks the page. Messages, comments and
task descriptions are Markdown: they show as the subset's text and tags only
(taskflow/markup.py), with Markdown's own payloads too."""

import html
import re

import pytest
from playwright.sync_api import expect

from taskflow.chat import unread
from taskflow.extensions import db
from taskflow.markup import render_markdown
from taskflow.models import (
    Board,
    ChatMessage,
    ChatRoom,
    Column,
    Notification,
    Task,
    TaskThreadComment,
    User,
)

from .conftest import browser_login, expect_socket_open
from .xss_payloads import MARKDOWN_PAYLOADS, PAYLOADS

pytestmark = pytest.mark.usefixtures("live_server")


def clean(text: str, limit: int) -> str:
    return text.strip()[:limit].strip()


def shown(text: str) -> str:
    """What a Markdown field shows of `text` (its textContent): the rendered text, no tag."""
    return html.unescape(re.sub(r"<[^>]*>", "", str(render_markdown(text))))


@pytest.fixture
def hostile_world(app, make_user):
    """Everything alice can see, named and written with payloads."""
    make_user("alice")
    make_user("bob")
    with app.app_context():
        alice, bob = User.by_username("alice"), User.by_username("bob")
        boards = []
        for payload in PAYLOADS:
            board = Board.create(clean(payload, 100), payload, alice)
            board.add_member(bob)
            boards.append(board)
        main = boards[0]
        main.columns = [
            Column(name=clean(p, 50) or "x", position=i) for i, p in enumerate(PAYLOADS)
        ]
        db.session.flush()
        tasks = [
            Task(column=main.columns[0], title=clean(p, 200), description=p, position=i)
            for i, p in enumerate(PAYLOADS)
        ]
        rooms = []
        for i, payload in enumerate(PAYLOADS):
            room = ChatRoom(main, f"{i} {clean(payload, 70)}", payload, alice)
            room.members.append(bob)
            rooms.append(room)
        db.session.add_all(tasks + rooms)
        db.session.flush()
        db.session.add_all(
            ChatMessage(room=rooms[0], author=bob, content=p, notified_at=None) for p in PAYLOADS
        )
        db.session.add_all(
            TaskThreadComment(task=tasks[0], author=bob, content=p) for p in PAYLOADS
        )
        db.session.flush()
        db.session.add_all(
            Notification(
                recipient_id=alice.id,
                sender_id=bob.id,
                type="task_assigned",
                text=f"bob assigned you “{t.title}”",
                task_id=t.id,
                dedupe_key=f"x{t.id}",
            )
            for t in tasks
        )
        db.session.commit()
        world = {
            "board": main.id,
            "room": rooms[0].id,
            "task": tasks[0].id,
            "tasks": [t.id for t in tasks[:10]],
            "boards": [b.id for b in boards[:10]],
        }
        db.session.remove()
        return world


def watch(*pages) -> list[str]:
    """Record, in the one list returned, any dialog (alert, confirm, prompt) the pages open."""
    dialogs: list[str] = []

    def record(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    for page in pages:
        page.on("dialog", record)
    return dialogs


def assert_safe(page, dialogs: list[str]) -> None:
    # Injected handlers get their chance before we look: the document's load event comes
    # after its subresources' load/error events, and every image (also those swapped in
    # live, after the load event) has finished loading or failing.
    page.wait_for_load_state("load")
    for image in page.locator("img").all():
        expect(image).to_have_js_property("complete", True)
    assert dialogs == []
    assert page.evaluate("window.__xss") is None
    assert page.locator("h1:text-is('BROKEN')").count() == 0  # markup did not break out
    expect(page.locator("header.topbar")).to_be_visible()


def test_payloads_render_as_text_everywhere(app, new_page, hostile_world):
    page = new_page()
    dialogs = watch(page)
    browser_login(page, "alice")
    w = hostile_world

    page.goto("/boards")
    names = page.locator(".board-card strong").all_inner_texts()
    assert sorted(names) == sorted(clean(p, 100) for p in PAYLOADS)
    assert_safe(page, dialogs)

    page.goto(f"/boards/{w['board']}")
    headings = page.locator(".column h2").all()  # "<name> <span class=count>n</span>"
    names = [h.text_content().removesuffix(h.locator(".count").text_content()) for h in headings]
    assert [n.strip() for n in names] == [clean(p, 50) or "x" for p in PAYLOADS]
    # A column shows its first cards; "Show more" (htmx) loads the others, text as well.
    from taskflow.boards.live import MORE, WINDOW

    titles = [clean(p, 200) for p in PAYLOADS]
    assert WINDOW < len(titles) <= WINDOW + MORE
    assert page.locator(".card-title").all_inner_texts() == titles[:WINDOW]
    page.locator(".show-more").first.click()
    expect(page.locator(".card-title")).to_have_count(len(titles))
    assert page.locator(".card-title").all_inner_texts() == titles
    assert page.locator(".board-head .description").inner_text() == PAYLOADS[0].strip()
    assert_safe(page, dialogs)

    from taskflow.chat.rooms import ROOMS_PAGE

    page.goto(f"/boards/{w['board']}/rooms")  # a page of rooms, then the rest
    assert ROOMS_PAGE < len(PAYLOADS) <= 2 * ROOMS_PAGE
    assert len(page.locator(".room-card").all()) == ROOMS_PAGE
    assert_safe(page, dialogs)
    page.get_by_role("link", name="More rooms").click()
    expect(page.locator(".room-card")).to_have_count(len(PAYLOADS) - ROOMS_PAGE)
    assert_safe(page, dialogs)

    with app.app_context():  # read: the page opens at its latest 50, not at "New" above them
        unread.mark_read(w["room"], User.by_username("alice").id)
    page.goto(f"/rooms/{w['room']}")
    expect_socket_open(page)
    latest = [shown(p) for p in PAYLOADS[-50:]]  # a page holds the latest 50
    assert page.locator(".message-body").all_text_contents() == latest
    assert_safe(page, dialogs)

    page.goto(f"/tasks/{w['task']}")
    assert page.locator(".comment .message-body").all_text_contents() == latest
    assert_safe(page, dialogs)

    for task_id, payload in zip(w["tasks"], PAYLOADS, strict=False):
        page.goto(f"/tasks/{task_id}")
        expect(page.locator(".task-detail h1")).to_have_text(clean(payload, 200))
        assert page.locator(".task-detail .description").text_content() == shown(payload)
        assert_safe(page, dialogs)

    page.goto("/notifications")
    assert page.locator(".notification").count() == 30  # the first page
    assert_safe(page, dialogs)


def test_payloads_sent_live_arrive_as_text(new_page, hostile_world):
    alice, bob = new_page(), new_page()
    dialogs = watch(alice, bob)
    browser_login(alice, "alice")
    browser_login(bob, "bob")
    room = f"/rooms/{hostile_world['room']}"
    for page in (alice, bob):
        page.goto(room)
        expect_socket_open(page)
    for payload in PAYLOADS[:15]:  # under the per-user message rate
        bob.locator("#composer-input").fill(payload)
        bob.locator("#composer-input").press("Enter")
        expect(alice.locator(".message-body").last).to_have_text(shown(payload))
    for page in (alice, bob):
        assert_safe(page, dialogs)


def test_a_hostile_username_is_refused_and_shown_as_typed(new_page):
    page = new_page()
    dialogs = watch(page)
    for payload in PAYLOADS[:15]:
        page.goto("/register")
        page.get_by_label("Username").fill(payload)
        page.get_by_label("Password", exact=True).fill("long enough pw")
        page.get_by_label("Repeat password").fill("long enough pw")
        page.get_by_role("button", name="Register").click()
        expect(page.locator(".field.has-error .error")).to_contain_text("3–30 letters")
        assert page.get_by_label("Username").input_value() == payload.strip()
        assert_safe(page, dialogs)


# ---- Markdown: the subset's tags and attributes only, links to http(s) and mailto only.

TAGS = {
    "P": set(),
    "BR": set(),
    "EM": set(),
    "STRONG": set(),
    "CODE": set(),
    "PRE": set(),
    "UL": set(),
    "OL": {"start"},
    "LI": set(),
    "BLOCKQUOTE": set(),
    "A": {"href", "rel"},
    "SPAN": {"class", "data-user-id"},
}
SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.\-]*):", re.IGNORECASE)

# Every element inside the Markdown fields, as Chromium built them.
ELEMENTS = """() => [...document.querySelectorAll('.message-body, .task-detail .description')]
  .flatMap((root) => [...root.querySelectorAll('*')])
  .map((e) => ({
    tag: e.tagName,
    attrs: Object.fromEntries([...e.attributes].map((a) => [a.name, a.value])),
    inside: !!e.parentElement.closest('a, code'),
  }))"""


def assert_inert_markdown(page) -> int:
    """Only the subset's elements and attributes; links only to http(s), mailto or this
    site; mentions only as text. Returns how many mentions the page shows."""
    mentions = 0
    for element in page.evaluate(ELEMENTS):
        tag, attrs = element["tag"], element["attrs"]
        assert tag in TAGS and set(attrs) <= TAGS[tag], element
        if tag == "A":
            scheme = SCHEME.match(attrs.get("href", ""))
            assert not scheme or scheme[1].lower() in ("http", "https", "mailto"), element
            assert attrs["rel"] == "nofollow noopener", element
        if tag == "SPAN":
            assert attrs["class"] == "mention" and attrs["data-user-id"].isdigit(), element
            assert not element["inside"], element  # not in a link, not in code
            mentions += 1
    return mentions


@pytest.fixture
def markdown_world(app, make_user):
    """A room, a comment thread and task descriptions written with Markdown payloads; the
    texts naming @alice are saved as mentioning her."""
    make_user("alice")
    make_user("bob")
    with app.app_context():
        alice, bob = User.by_username("alice"), User.by_username("bob")
        board = Board.create("Markdown", "", alice)
        board.add_member(bob)
        room = ChatRoom(board, "markdown", "", alice)
        room.members.append(bob)
        thread = Task(column=board.columns[0], title="thread", position=0)
        tasks = [
            Task(column=board.columns[1], title=f"md {i}", description=p, position=i)
            for i, p in enumerate(MARKDOWN_PAYLOADS)
        ]
        db.session.add_all([room, thread, *tasks])
        db.session.flush()
        for i, payload in enumerate(MARKDOWN_PAYLOADS):
            mentioned = [alice] if "@alice" in payload else []
            message = ChatMessage(room=room, author=bob, content=payload, seq=i + 1)
            message.mentioned_users = mentioned
            comment = TaskThreadComment(task=thread, author=bob, content=payload)
            comment.mentioned_users = mentioned
            db.session.add_all([message, comment])
        room.seq = len(MARKDOWN_PAYLOADS)
        db.session.commit()
        world = {"room": room.id, "thread": thread.id, "tasks": [t.id for t in tasks]}
        db.session.remove()
        return world


def test_markdown_payloads_are_inert(new_page, markdown_world):
    page = new_page()
    dialogs = watch(page)
    browser_login(page, "alice")
    texts = [shown(p) for p in MARKDOWN_PAYLOADS]

    page.goto(f"/rooms/{markdown_world['room']}")
    expect_socket_open(page)
    assert page.locator(".message-body").all_text_contents() == texts
    # "[@alice](javascript:…)" is no link, so text: a mention; as are "@alice[x](…)",
    # "**@alice**" and "> @alice". Not those in code or in the links' text and addresses.
    assert assert_inert_markdown(page) == 4
    assert page.locator(".message-body a").count() > 10  # links there are, all harmless
    assert_safe(page, dialogs)

    page.goto(f"/tasks/{markdown_world['thread']}")
    assert page.locator(".comment .message-body").all_text_contents() == texts
    assert assert_inert_markdown(page) == 4
    assert_safe(page, dialogs)

    for task_id, payload in zip(markdown_world["tasks"], MARKDOWN_PAYLOADS, strict=True):
        page.goto(f"/tasks/{task_id}")
        assert page.locator(".task-detail .description").text_content() == shown(payload)
        assert_inert_markdown(page)
        assert_safe(page, dialogs)


def test_markdown_payloads_sent_live_are_inert(new_page, markdown_world):
    alice, bob = new_page(), new_page()
    dialogs = watch(alice, bob)
    browser_login(alice, "alice")
    browser_login(bob, "bob")
    room = f"/rooms/{markdown_world['room']}"
    for page in (alice, bob):
        page.goto(room)
        expect_socket_open(page)
    for payload in MARKDOWN_PAYLOADS[::4]:  # under the per-user message rate
        bob.locator("#composer-input").fill(payload)
        bob.locator("#composer-input").press("Enter")
        expect(alice.locator(".message-body").last).to_have_text(shown(payload))
    for page in (alice, bob):
        assert_inert_markdown(page)
        assert_safe(page, dialogs)
