"""Search (issue 24): one search over the messages, comments and tasks a user may read.
Never anything else, not even counted; the indexes follow edits and deletions in the same
transaction; Chinese and Japanese substrings are found; each result opens in context."""

import re

import pytest
from sqlalchemy import select, text

from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, Task, User
from taskflow.models.comment import TaskThreadComment

from .conftest import as_user, second_room


def found(client, q: str, **params) -> str:
    response = client.get("/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def results(page: str) -> list[str]:
    """The ids of the results on a page, in order ("message-3", "task-1", ...)."""
    return re.findall(r'id="result-(\w+-\d+)"', page)


def message_id(app, content: str) -> int:
    with app.app_context():
        found_id = db.session.scalar(select(ChatMessage.id).where(ChatMessage.content == content))
        db.session.remove()
        return found_id


def comment_id(app, content: str) -> int:
    with app.app_context():
        query = select(TaskThreadComment.id).where(TaskThreadComment.content == content)
        found_id = db.session.scalar(query)
        db.session.remove()
        return found_id


def post(client, room_id: int, content: str) -> None:
    response = client.post(f"/rooms/{room_id}/messages", {"content": content})
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]


def test_finds_messages_comments_and_tasks_of_what_one_may_read(app, chat_room, board_with_task_in):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    post(alice, chat_room, "the rollout checklist is ready")
    bob.post(f"/tasks/{board_with_task_in}/comments", {"content": "rollout looks fine"})
    with app.app_context():
        db.session.get(Task, board_with_task_in).description = "Plan the rollout"
        db.session.commit()
    page = found(bob, "rollout")
    assert sorted(k.split("-")[0] for k in results(page)) == ["comment", "message", "task"]
    assert "<mark>rollout</mark>" in page


@pytest.mark.postgres
def test_nothing_of_a_room_or_board_one_cannot_read(app, chat_room, board_with_task_in, make_user):
    """carol is on the board but not in the private room; dave is on no board. A private
    room's message, a direct message between others: never found, not even as a page of
    nothing with a "More" link."""
    alice = as_user(app, "alice")
    post(alice, chat_room, "zebra secret plan")
    make_user("dave")
    carol, dave = as_user(app, "carol"), as_user(app, "dave")
    alice.post(f"/tasks/{board_with_task_in}/comments", {"content": "zebra comment"})
    assert results(found(carol, "zebra")) == [f"comment-{comment_id(app, 'zebra comment')}"]
    dave_page = found(dave, "zebra")
    assert results(dave_page) == [] and "zebra secret" not in dave_page
    assert "More results" not in dave_page
    # from:, in: and board: name what exists only to those who may read it.
    assert results(found(carol, "in:#general")) == []
    assert results(found(dave, 'board:"Launch"')) == []
    assert results(found(dave, "from:@alice")) == []


@pytest.mark.postgres
def test_removed_from_a_board_finds_nothing_of_it_any_more(app, chat_room, board_with_task_in):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    post(alice, chat_room, "quarterly numbers attached")
    alice.post(f"/tasks/{board_with_task_in}/comments", {"content": "quarterly comment"})
    assert len(results(found(bob, "quarterly"))) == 2
    with app.app_context():
        bob_id = User.by_username("bob").id
        board_id = db.session.get(ChatRoom, chat_room).board_id
        db.session.remove()
    assert alice.post(f"/boards/{board_id}/members/{bob_id}/delete").status_code == 302
    page = found(bob, "quarterly")
    assert results(page) == [] and "quarterly" not in page.split('id="main"')[1].split("</form>")[1]
    assert results(found(bob, "Ship")) == []  # the board's task's title


@pytest.mark.postgres
def test_open_rooms_of_ones_boards_are_found_before_joining(app, chat_room):
    alice = as_user(app, "alice")
    with app.app_context():
        room = db.session.get(ChatRoom, chat_room)
        room.kind = "open"
        db.session.commit()
        db.session.remove()
    post(alice, chat_room, "announcement for everyone")
    carol = as_user(app, "carol")  # on the board, not in the room: it is open to her
    assert results(found(carol, "announcement")) == [
        f"message-{message_id(app, 'announcement for everyone')}"
    ]


@pytest.mark.postgres
def test_the_index_follows_edits_and_deletions(app, chat_room, board_with_task_in):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    post(alice, chat_room, "original wording here")
    mid = message_id(app, "original wording here")
    assert alice.post(f"/messages/{mid}/edit", {"content": "revised phrasing"}).status_code in (
        200,
        302,
    )
    assert results(found(bob, "original")) == []
    assert results(found(bob, "revised")) == [f"message-{mid}"]
    assert alice.post(f"/messages/{mid}/delete").status_code in (200, 302)
    assert results(found(bob, "revised")) == []

    bob.post(f"/tasks/{board_with_task_in}/comments", {"content": "first draft comment"})
    cid = comment_id(app, "first draft comment")
    bob.post(f"/comments/{cid}/edit", {"content": "second version comment"})
    assert results(found(alice, "draft")) == []
    assert results(found(alice, "version")) == [f"comment-{cid}"]
    bob.post(f"/comments/{cid}/delete")
    assert results(found(alice, "version")) == []

    tid = board_with_task_in
    response = alice.post(f"/tasks/{tid}/edit", {"title": "Launch rocket", "priority": "medium"})
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]
    assert results(found(bob, "Ship")) == []
    assert results(found(bob, "rocket")) == [f"task-{tid}"]
    with app.app_context():
        db.session.delete(db.session.get(Task, tid))
        db.session.commit()
    assert results(found(bob, "rocket")) == []


@pytest.mark.postgres
def test_chinese_and_japanese_substrings_are_found(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    post(alice, chat_room, "我们明天部署服务器")
    post(alice, chat_room, "東京でデプロイしました")
    zh, ja = message_id(app, "我们明天部署服务器"), message_id(app, "東京でデプロイしました")
    assert results(found(bob, "部署服务器")) == [f"message-{zh}"]
    assert results(found(bob, "部署")) == [f"message-{zh}"]  # two characters: a word
    assert results(found(bob, "デプロイ")) == [f"message-{ja}"]
    assert "<mark>部署</mark>" in found(bob, "部署")


def test_highlight_is_escaped(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    post(alice, chat_room, "payload <img src=x onerror=alert(1)> here")
    page = found(bob, "payload")
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    page = found(bob, "img")  # the match inside what would be a tag
    assert "<mark>img</mark>" in page and "<img" not in page


@pytest.mark.postgres
def test_filters(app, chat_room, board_with_task_in):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    random = second_room(app, chat_room, "random")
    post(alice, chat_room, "budget review in general")
    post(bob, random, "budget talk in random https://example.com")
    bob.post(f"/tasks/{board_with_task_in}/comments", {"content": "budget comment"})
    general_msg = message_id(app, "budget review in general")
    random_msg = message_id(app, "budget talk in random https://example.com")
    comment = comment_id(app, "budget comment")
    assert set(results(found(alice, "budget from:@bob"))) == {
        f"message-{random_msg}",
        f"comment-{comment}",
    }
    assert results(found(alice, "budget in:#random")) == [f"message-{random_msg}"]
    assert results(found(alice, "budget is:comment")) == [f"comment-{comment}"]
    assert results(found(alice, "budget has:link")) == [f"message-{random_msg}"]
    assert results(found(alice, 'budget board:"launch" is:message in:general')) == [
        f"message-{general_msg}"
    ]
    assert results(found(alice, 'budget board:"Elsewhere"')) == []
    assert results(found(alice, "budget before:2000-01-01")) == []
    assert len(results(found(alice, "budget after:2000-01-01"))) == 3
    assert results(found(alice, "is:task")) == [f"task-{board_with_task_in}"]


@pytest.mark.parametrize(
    "q, says",
    [
        ("is:nothing", "is message, comment or task"),
        ("before:yesterday", "takes a date"),
        ("has:image", "has:link"),
        ('board:"open', "quote is not closed"),
        ("x" * 201, "at most 200 characters"),
        ("a b c d e f g h i", "at most 8"),
        ("from:", "needs a value"),
    ],
)
def test_a_bad_filter_is_a_message_not_a_500(login, q, says):
    alice = login("alice")
    response = alice.get("/search", query_string={"q": q})
    assert response.status_code == 422
    assert says in response.get_data(as_text=True)


@pytest.mark.postgres
def test_ranked_by_relevance_then_newest_and_paged(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    with app.app_context():
        alice_id = User.by_username("alice").id
        rows = [
            {"room_id": chat_room, "author_id": alice_id, "content": f"filler {i} harvest"}
            for i in range(10, 35)  # of one length: one rank
        ]
        db.session.execute(ChatMessage.__table__.insert(), rows)
        db.session.commit()
        db.session.remove()
    post(alice, chat_room, "harvest harvest harvest")
    first = found(bob, "harvest")
    assert len(results(first)) == 20 and "More results" in first
    assert results(first)[0] == f"message-{message_id(app, 'harvest harvest harvest')}"
    newest_filler = message_id(app, "filler 34 harvest")
    assert results(first)[1] == f"message-{newest_filler}"  # the rest: the newest first
    second = found(bob, "harvest", page=2)
    assert len(results(second)) == 6 and "More results" not in second
    assert not set(results(first)) & set(results(second))


def test_a_message_opens_in_its_room_around_it(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    post(alice, chat_room, "needle in the haystack")
    needle = message_id(app, "needle in the haystack")
    with app.app_context():
        alice_id = User.by_username("alice").id
        rows = [
            {"room_id": chat_room, "author_id": alice_id, "content": f"later {i}"}
            for i in range(80)
        ]
        db.session.execute(ChatMessage.__table__.insert(), rows)
        db.session.commit()
        db.session.remove()
    page = found(bob, "needle")
    link = re.search(r'class="search-result-link" href="([^"]+)"', page)[1]
    assert link == f"/rooms/{chat_room}?around={needle}#message-{needle}"
    room = bob.get(link.split("#")[0]).get_data(as_text=True)
    assert f'id="message-{needle}"' in room and "later 0" in room  # and those around it
    assert "later 79" not in room  # not the latest page


def test_a_comment_opens_its_task_at_it(app, chat_room, board_with_task_in):
    bob = as_user(app, "bob")
    task = board_with_task_in
    bob.post(f"/tasks/{task}/comments", {"content": "old remark worth finding"})
    old = comment_id(app, "old remark worth finding")
    page = found(bob, "remark")
    link = re.search(r'class="search-result-link" href="([^"]+)"', page)[1]
    assert link == f"/tasks/{task}#comment-{old}"  # on the task page as it is
    with app.app_context():
        rows = [{"task_id": task, "content": f"more {i}"} for i in range(60)]
        db.session.execute(TaskThreadComment.__table__.insert(), rows)
        db.session.commit()
        db.session.remove()
    page = found(bob, "remark")
    link = re.search(r'class="search-result-link" href="([^"]+)"', page)[1]
    assert link == f"/tasks/{task}?before={old + 1}#comment-{old}"  # older than the page
    assert f'id="comment-{old}"' in bob.get(link.split("#")[0]).get_data(as_text=True)
    task_link = re.search(r'class="search-result-link" href="([^"]+)"', found(bob, "is:task"))
    assert task_link[1] == f"/tasks/{task}"


def test_search_needs_a_login_and_is_rate_limited(app, client, login):
    assert client.get("/search?q=x").status_code == 302
    alice = login("alice")
    app.config["SEARCH_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [alice.get("/search?q=hello").status_code for _ in range(4)]
    finally:
        app.config["SEARCH_RATE_LIMIT"] = "30 per 10 seconds; 300 per hour"
    assert codes == [200, 200, 200, 429]
    assert alice.get("/search").status_code == 200  # the empty form is not a search


def test_the_navigation_has_the_search_form(login):
    page = login("alice").get("/boards").get_data(as_text=True)
    assert 'role="search"' in page and 'action="/search"' in page and 'accesskey="k"' in page


@pytest.mark.postgres
def test_the_indexes_exist_after_the_migrations(app):
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        assert len(search_objects()) == (6 if postgres else 12), search_objects()
        db.session.remove()


@pytest.mark.postgres
def test_the_migration_goes_down_and_up_and_indexes_what_is_there(app, chat_room):
    """Down: no index, no trigger, no FTS table is left. Up again: what was written before
    is indexed (a deleted message still not), and the triggers keep it from then on."""
    from flask_migrate import downgrade, upgrade

    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    post(alice, chat_room, "kept across the migration")
    post(alice, chat_room, "deleted before the migration")
    gone = message_id(app, "deleted before the migration")
    assert alice.post(f"/messages/{gone}/delete").status_code in (200, 302)
    with app.app_context():
        db.session.remove()
        downgrade(revision="a24cmd000001")
        try:
            assert search_objects() == set()
        finally:
            db.session.remove()
            upgrade()
        assert len(search_objects()) == (6 if db.engine.dialect.name == "postgresql" else 12)
        db.session.remove()
    kept = message_id(app, "kept across the migration")
    assert results(found(bob, "migration")) == [f"message-{kept}"]
    post(alice, chat_room, "written after the migration")
    assert len(results(found(bob, "migration"))) == 2


def search_objects() -> set[str]:
    """The search's tables, triggers and indexes in the database."""
    if db.engine.dialect.name == "postgresql":
        query = (
            "SELECT indexname FROM pg_indexes"
            " WHERE indexname LIKE '%\\_words' OR indexname LIKE '%\\_trigrams'"
        )
    else:
        query = (
            "SELECT name FROM sqlite_master WHERE (type = 'trigger' AND name LIKE '%_fts_%')"
            " OR (type = 'table' AND name IN"
            " ('chat_messages_fts', 'task_comments_fts', 'tasks_fts'))"
        )
    return set(db.session.scalars(text(query)))


@pytest.mark.postgres
def test_unranked_searches_are_the_newest_first_and_paged(app, chat_room):
    """Filters alone, or a word too short to rank (two Chinese characters): the newest
    first, each page read only as far as it needs."""
    bob = as_user(app, "bob")
    with app.app_context():
        alice_id = User.by_username("alice").id
        rows = [
            {"room_id": chat_room, "author_id": alice_id, "content": f"第{i}次部署"}
            for i in range(25)
        ]
        db.session.execute(ChatMessage.__table__.insert(), rows)
        db.session.commit()
        ids = list(db.session.scalars(select(ChatMessage.id).order_by(ChatMessage.id.desc())))
        db.session.remove()
    for q in ("部署", "from:@alice"):
        first, second = found(bob, q), found(bob, q, page=2)
        assert results(first) == [f"message-{i}" for i in ids[:20]] and "More results" in first
        assert results(second) == [f"message-{i}" for i in ids[20:]]
        assert "More results" not in second


def test_every_payload_shows_as_text_in_an_excerpt(app, chat_room, board_with_task_in):
    """The XSS payloads (tests/xss_payloads.py) in messages, comments and a title: each
    excerpt holds no tag but our <mark>, and the payloads' words are marked inside them."""
    from .xss_payloads import MARKDOWN_PAYLOADS, PAYLOADS

    alice = as_user(app, "alice")
    payloads = [*PAYLOADS, *MARKDOWN_PAYLOADS]
    with app.app_context():
        alice_id = User.by_username("alice").id
        rows = [
            {"room_id": chat_room, "author_id": alice_id, "content": f"qqx {p}"} for p in payloads
        ]
        db.session.execute(ChatMessage.__table__.insert(), rows)
        comments = [{"task_id": board_with_task_in, "content": f"qqx {p}"} for p in payloads]
        db.session.execute(TaskThreadComment.__table__.insert(), comments)
        db.session.get(Task, board_with_task_in).title = f"qqx {PAYLOADS[0]}"[:200]
        db.session.commit()
        db.session.remove()
    shown = 0
    for page_number in range(1, 20):
        page = found(alice, "qqx", page=page_number)
        for excerpt in re.findall(r'<p class="search-excerpt">(.*?)</p>', page, re.S):
            assert "<" not in excerpt.replace("<mark>", "").replace("</mark>", ""), excerpt
            shown += 1
        for place in re.findall(r'class="search-result-link" href="[^"]*">(.*?)</a>', page, re.S):
            assert "<" not in re.sub(r'</?span( class="search-kind")?>', "", place), place
        if "More results" not in page:
            break
    assert shown == 2 * len(payloads) + 1


ODD_QUERIES = [
    "\x00abc",
    "abc\x00",
    "*",
    "***",
    "NEAR(abc def)",
    "abc OR def",
    "^abc",
    "a' OR '1'='1",
    "100%",
    "under_score",
    "back\\slash",
    "emoji 🎉🎉🎉",
    "e\u0301e\u0301e\u0301",
    "abc:*",
    "before:2026-02-30",
    "after:99999-01-01",
    "after:9999-12-31",
    "before:9999-12-31",
    "after:0001-01-01",
    "in:#",
    "from:@",
    'board:""',
    "-",
    "'''",
    "a&b|c!d",
]


@pytest.mark.postgres
@pytest.mark.parametrize("q", ODD_QUERIES)
def test_odd_queries_are_answered_never_a_500(app, chat_room, q):
    bob = as_user(app, "bob")
    post(as_user(app, "alice"), chat_room, "abc def 100% under_score back\\slash 🎉🎉🎉")
    response = bob.get("/search", query_string={"q": q})
    assert response.status_code in (200, 400, 422), response.get_data(as_text=True)[:300]


@pytest.mark.postgres
def test_wildcards_are_literal(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    post(alice, chat_room, "done 100% under_score back\\slash")
    mid = message_id(app, "done 100% under_score back\\slash")
    for q in ("100%", "under_score", "back\\slash", "0%", "_s"):
        assert results(found(bob, q)) == [f"message-{mid}"], q
    for q in ("10_%", "under%score", "1%0", "e_s"):
        assert results(found(bob, q)) == [], q
