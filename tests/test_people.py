"""People (issue 13, "Reading"): profiles, display names, avatars, times in the reader's
zone with day separators, and grouping, over HTTP and through the broadcaster."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from taskflow import people, timezones
from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, TaskThreadComment, User
from taskflow.models.user import utcnow
from taskflow.realtime.broadcaster import Hub, _decode, _encode

from .conftest import PASSWORD, Client, as_user, wait_until
from .test_broadcaster import Follower

ROOT = Path(__file__).resolve().parent.parent


def set_profile(app, username: str, **fields) -> None:
    with app.app_context():
        user = User.by_username(username)
        for name, value in fields.items():
            setattr(user, name, value)
        user.profile_version += 1
        db.session.commit()


def add_message(app, room_id: int, username: str, text: str, at: datetime | None = None) -> int:
    """A message saved straight into the database, `at` a naive UTC time (default: now)."""
    with app.app_context():
        message = ChatMessage(
            room_id=room_id, author=User.by_username(username), content=text, created_at=at
        )
        message.created_at = at or utcnow()
        message.seq = ChatRoom.next_seq(room_id)
        db.session.add(message)
        db.session.commit()
        return message.id


def message_li(page: str, message_id: int) -> str:
    found = re.search(rf'<li class="[^"]*" id="message-{message_id}".*?</li>', page, re.S)
    assert found, f"message {message_id} not on the page"
    return found[0]


def local_clock(at: datetime, zone: str) -> str:
    return at.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).strftime("%H:%M")


# --- avatars ---------------------------------------------------------------------------


def test_every_avatar_colour_keeps_white_initials_readable_and_has_its_css():
    css = (ROOT / "static/css/app.css").read_text()
    for index, colour in enumerate(people.PALETTE):
        assert people.contrast_with_white(colour) >= 4.5, colour  # WCAG AA, normal text
        assert f".avatar.c{index} {{ background: {colour}; }}" in css


def test_initials_and_a_default_colour_from_the_name():
    assert people.initials("Alice Smith") == "AS"
    assert people.initials("alice") == "A"
    assert people.initials("  élodie  de la Tour ") == "ÉT"
    assert people.initials("") == "?"
    colour = people.default_color("alice")
    assert colour in people.PALETTE and colour == people.default_color("ALICE")
    # Spread over the palette, not one colour for everyone.
    assert len({people.default_color(f"user{i}") for i in range(40)}) >= 5


# --- the profile page ------------------------------------------------------------------


def test_profile_saves_a_trimmed_name_a_zone_and_a_colour(app, login):
    alice = login("alice")
    page = alice.get("/profile").get_data(as_text=True)
    assert '<select id="time_zone" name="time_zone"' in page
    assert '<option value="Asia/Tokyo">Tokyo</option>' in page
    colour = list(people.PALETTE)[3]
    form = {"display_name": "  Alice   Smith ", "time_zone": "Asia/Tokyo", "avatar_color": colour}
    assert alice.post("/profile", form).status_code == 302
    with app.app_context():
        user = User.by_username("alice")
        assert (user.display_name, user.time_zone, user.avatar_color) == (
            "Alice Smith",
            "Asia/Tokyo",
            colour,
        )
    menu = alice.get("/boards").get_data(as_text=True)
    assert (
        '<span class="avatar c3 avatar-small" aria-hidden="true">AS</span> '
        '<span class="user-name">Alice Smith</span>' in menu
    )


def test_profile_refuses_an_unknown_zone_a_long_name_and_a_foreign_colour(app, login):
    alice = login("alice")
    colour = next(iter(people.PALETTE))
    bad_zone = alice.post("/profile", {"time_zone": "Mars/Olympus", "avatar_color": colour})
    assert bad_zone.status_code == 422
    assert "Pick a time zone from the list" in bad_zone.get_data(as_text=True)
    too_long = {"display_name": "x" * 51, "time_zone": "UTC", "avatar_color": colour}
    assert alice.post("/profile", too_long).status_code == 422
    foreign = {"time_zone": "UTC", "avatar_color": "#ffffff"}
    assert alice.post("/profile", foreign).status_code == 422
    with app.app_context():
        user = User.by_username("alice")
        assert (user.display_name, user.time_zone, user.avatar_color) == (None, None, None)


def test_a_display_name_is_escaped_and_shown_where_the_username_was(app, chat_room):
    add_message(app, chat_room, "alice", "hello")
    bob = as_user(app, "bob")
    before = bob.get(f"/rooms/{chat_room}").get_data(as_text=True)  # cached from here on
    assert '<b class="author">alice</b>' in before
    name = "<b>Al</b> & co"
    colour = list(people.PALETTE)[5]
    alice = as_user(app, "alice")
    form = {"display_name": name, "time_zone": "UTC", "avatar_color": colour}
    assert alice.post("/profile", form).status_code == 302
    page = bob.get(f"/rooms/{chat_room}").get_data(as_text=True)
    shown = "&lt;b&gt;Al&lt;/b&gt; &amp; co"
    # The old message (cached) shows the new name and colour, as do the member list, ...
    assert (
        f'<span class="avatar c5" aria-hidden="true">C</span><b class="author">{shown}</b>' in page
    )
    assert f'{shown} <small class="handle">@alice</small></li>' in page and "<b>Al</b>" not in page
    # ... the board's members, and the mention list (which still mentions by username).
    board_id = bob.get(f"/rooms/{chat_room}").get_data(True).split("/boards/")[1].split('"')[0]
    assert shown in bob.get(f"/boards/{board_id}/members").get_data(as_text=True)
    options = bob.get(f"/rooms/{chat_room}/mentions?content=@al").get_data(as_text=True)
    assert f"{shown} @alice" in options and 'data-username="alice"' in options


def test_a_profile_is_visible_to_those_who_share_a_board(app, chat_room, make_user):
    make_user("mallory")
    set_profile(app, "alice", display_name="Alice Smith")
    carol = as_user(app, "carol")  # on the board, not in the room
    page = carol.get("/users/alice").get_data(as_text=True)
    assert "Alice Smith" in page and "@alice" in page and "Launch" in page
    assert as_user(app, "mallory").get("/users/alice").status_code == 404
    assert carol.get("/users/nobody-at-all").status_code == 404


# --- the zone from the browser ---------------------------------------------------------


def test_the_browsers_zone_is_taken_at_login_once_and_checked(app, make_user):
    make_user("alice")

    def log_in(zone: str) -> int:
        client = Client(app.test_client())
        form = {"username": "alice", "password": PASSWORD, "time_zone": zone}
        return client.post("/login", form).status_code

    assert log_in("Mars/Base") == 302  # a bad zone never blocks a login
    with app.app_context():
        assert User.by_username("alice").time_zone is None
    assert log_in("Asia/Tokyo") == 302
    assert log_in("Europe/Paris") == 302
    with app.app_context():  # a zone, once known, is changed on the profile page only
        assert User.by_username("alice").time_zone == "Asia/Tokyo"


def test_a_first_visit_sends_the_zone_once_with_its_token(app, login):
    alice = login("alice")
    page = alice.get("/boards").get_data(as_text=True)
    assert 'data-zone-unset="/account/time-zone"' in page
    assert alice.post("/account/time-zone", {"time_zone": "Nowhere/Else"}).status_code == 400
    no_token = alice.post("/account/time-zone", {"time_zone": "Asia/Tokyo"}, csrf=False)
    assert no_token.status_code == 400
    assert alice.post("/account/time-zone", {"time_zone": "Asia/Tokyo"}).status_code == 204
    assert alice.post("/account/time-zone", {"time_zone": "Europe/Paris"}).status_code == 204
    with app.app_context():
        assert User.by_username("alice").time_zone == "Asia/Tokyo"
    assert "data-zone-unset" not in alice.get("/boards").get_data(as_text=True)


# --- times in the reader's zone --------------------------------------------------------


def test_each_reader_sees_a_message_at_their_own_time(app, chat_room):
    set_profile(app, "alice", time_zone="Asia/Tokyo")
    set_profile(app, "bob", time_zone="America/New_York")
    at = utcnow().replace(microsecond=0)
    message_id = add_message(app, chat_room, "carol", "what time is it?", at)
    stamp = f'datetime="{at.isoformat()}Z"'
    for name, zone in (("alice", "Asia/Tokyo"), ("bob", "America/New_York")):
        for _ in range(2):  # rendered, then from the caches (the message once, its time per page)
            li = message_li(
                as_user(app, name).get(f"/rooms/{chat_room}").get_data(True), message_id
            )
            clock = local_clock(at, zone)
            title = timezones.full(at, zone)
            assert f'{stamp} title="{title}" tabindex="0">{clock}</time>' in li
    assert local_clock(at, "Asia/Tokyo") != local_clock(at, "America/New_York")


def test_day_separators_say_today_yesterday_or_the_date_in_the_readers_zone(app, chat_room):
    zone = "Pacific/Auckland"
    set_profile(app, "alice", time_zone=zone)
    here = ZoneInfo(zone)
    today = datetime.now(here).date()

    def noon(days_ago: int) -> datetime:
        day = today - timedelta(days=days_ago)
        local = datetime(day.year, day.month, day.day, 12, tzinfo=here)
        return local.astimezone(UTC).replace(tzinfo=None)

    long_ago = today - timedelta(days=400)
    old = datetime(long_ago.year, long_ago.month, long_ago.day, 12, tzinfo=here)
    add_message(app, chat_room, "bob", "last year", old.astimezone(UTC).replace(tzinfo=None))
    add_message(app, chat_room, "bob", "three days ago", noon(3))
    add_message(app, chat_room, "bob", "yesterday", noon(1))
    add_message(app, chat_room, "bob", "yesterday again", noon(1) + timedelta(minutes=1))
    add_message(app, chat_room, "bob", "today", utcnow())
    page = as_user(app, "alice").get(f"/rooms/{chat_room}").get_data(as_text=True)
    labels = re.findall(r'<li class="day-separator" data-day="[^"]+"><span>([^<]+)</span>', page)
    three = today - timedelta(days=3)
    three_label = f"{three:%A} {three.day} {three:%B}"
    if three.year != today.year:
        three_label += f" {three.year}"
    old_label = f"{long_ago:%A} {long_ago.day} {long_ago:%B} {long_ago.year}"
    assert labels == [old_label, three_label, "Yesterday", "Today"]


# --- grouping --------------------------------------------------------------------------


def post(client, room_id: int, text: str) -> None:
    assert client.post(f"/rooms/{room_id}/messages", {"content": text}).status_code == 302


def grouped(app, room_id: int) -> list[tuple[str, bool]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(ChatMessage.content, ChatMessage.continues)
            .where(ChatMessage.room_id == room_id, ChatMessage.deleted_at.is_(None))
            .order_by(ChatMessage.id)
        ).all()
        return [tuple(row) for row in rows]


def test_quick_messages_by_one_author_group_under_one_name(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    for text in ("one", "two", "three"):
        post(alice, chat_room, text)
    post(bob, chat_room, "bob breaks it")
    post(alice, chat_room, "alice again")
    with app.app_context():  # the last message was 6 minutes ago
        last = db.session.scalars(db.select(ChatMessage).order_by(ChatMessage.id.desc())).first()
        last.created_at -= timedelta(minutes=6)
        db.session.commit()
    post(alice, chat_room, "much later")
    assert grouped(app, chat_room) == [
        ("one", False),
        ("two", True),
        ("three", True),
        ("bob breaks it", False),
        ("alice again", False),
        ("much later", False),
    ]
    page = bob.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert len(re.findall(r'<li class="message grouped"', page)) == 2


def test_deleting_the_head_of_a_group_shows_the_next_one_under_its_name(app, chat_room):
    alice = as_user(app, "alice")
    for text in ("head", "second", "third"):
        post(alice, chat_room, text)
    with app.app_context():
        head = db.session.scalars(db.select(ChatMessage).order_by(ChatMessage.id)).first()
        head_id = head.id
    assert alice.post(f"/messages/{head_id}/delete").status_code == 302
    assert grouped(app, chat_room) == [("second", False), ("third", True)]


# --- one rendering per change: the page shows its times in the reader's zone -------------


def test_an_event_is_one_rendering_for_everyone():
    event = _decode(_encode("room:1", "message", "<p>12:00 é</p>", 7, ""))
    assert event.seq == 7 and event.frame.endswith("<p>12:00 é</p>".encode())
    assert not hasattr(event, "variants")


def test_a_live_message_is_rendered_once_with_its_instant(app, chat_room):
    """Live: one event whatever zones its readers are in: its time in UTC with the instant
    (`<time datetime data-local>`, which local_time.js shows in the page's zone), and a day
    separator's placeholder the page labels or removes."""
    set_profile(app, "bob", time_zone="Asia/Tokyo")
    hub = Hub(app.redis, app.config["REDIS_URL"])
    app.extensions["broadcaster"], saved = hub, app.extensions["broadcaster"]
    follower = Follower(f"room:{chat_room}")
    try:
        hub.follow(follower)
        post(as_user(app, "alice"), chat_room, "live")
        wait_until(lambda: follower.events, message="the message never came")
    finally:
        hub.unfollow(follower)
        app.extensions["broadcaster"] = saved
    frame = follower.events[0].frame
    with app.app_context():
        at, message_id = db.session.execute(db.select(ChatMessage.created_at, ChatMessage.id)).one()
    stamp = at.replace(microsecond=0).isoformat()
    assert f'<time datetime="{stamp}Z" title='.encode() in frame
    assert f">{local_clock(at, 'UTC')}</time>".encode() in frame
    assert f'data-day="@{message_id}" data-at="{stamp}Z" hidden'.encode() in frame
    # Bob's page (not live) has it in his zone, from the same cached rendering.
    page = as_user(app, "bob").get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert f">{local_clock(at, 'Asia/Tokyo')}</time>" in page
    assert 'data-zone="Asia/Tokyo"' in page


def test_a_live_comment_is_rendered_once_for_every_zone(app, board_with_task):
    _, task_id, _ = board_with_task
    set_profile(app, "bob", time_zone="Asia/Kolkata")
    hub = Hub(app.redis, app.config["REDIS_URL"])
    app.extensions["broadcaster"], saved = hub, app.extensions["broadcaster"]
    follower = Follower(f"task:{task_id}")
    try:
        hub.follow(follower)
        bob = as_user(app, "bob")
        assert bob.post(f"/tasks/{task_id}/comments", {"content": "on time"}).status_code == 302
        wait_until(lambda: follower.events, message="the comment never came")
        # The author's own page (HTTP, not shared) shows it in their zone.
        page = bob.get(f"/tasks/{task_id}").get_data(as_text=True)
    finally:
        hub.unfollow(follower)
        app.extensions["broadcaster"] = saved
    frame = follower.events[0].frame
    with app.app_context():
        at = db.session.scalars(db.select(TaskThreadComment.created_at)).one()
    assert f'data-local="short" title="{timezones.full(at, "UTC")}"'.encode() in frame
    assert f'title="{timezones.full(at, "Asia/Kolkata")}"' in page


def test_separators_do_not_count_as_messages_of_a_page(app, chat_room):
    """A page offers older messages when it is full of messages, separators aside."""
    for days_ago in range(49):
        add_message(app, chat_room, "bob", f"day {days_ago}", utcnow() - timedelta(days=days_ago))
    page = as_user(app, "alice").get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert page.count('class="day-separator"') == 49
    assert 'id="load-older"' not in page
    add_message(app, chat_room, "bob", "the fiftieth")
    page = as_user(app, "alice").get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert 'id="load-older"' in page


def test_direct_messages_and_reactions_name_people_by_their_display_names(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    colour = list(people.PALETTE)[0]
    form = {"display_name": "Bob, the Builder", "time_zone": "UTC", "avatar_color": colour}
    assert bob.post("/profile", form).status_code == 302
    direct = alice.post("/direct/new", {"usernames": "bob"}).location
    assert "Bob, the Builder</a>" in alice.get("/direct").get_data(as_text=True)
    assert '<h1 id="room-name">Bob, the Builder</h1>' in alice.get(direct).get_data(as_text=True)
    message_id = add_message(app, chat_room, "alice", "ship it")
    assert bob.post(f"/messages/{message_id}/reactions", {"emoji": "tada"}).status_code == 302
    page = alice.get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert "1 reaction: Bob, the Builder" in page


def test_profile_saves_are_rate_limited(app, login):
    """Each save renders the user's messages afresh for every reader: bounded."""
    alice = login("alice")
    colour = list(people.PALETTE)[1]
    for i in range(10):
        form = {"display_name": f"Alice {i}", "time_zone": "UTC", "avatar_color": colour}
        assert alice.post("/profile", form).status_code == 302
    form = {"display_name": "Alice again", "time_zone": "UTC", "avatar_color": colour}
    refused = alice.post("/profile", form)
    assert refused.status_code == 429 and "Wait a little" in refused.get_data(as_text=True)
    with app.app_context():
        assert User.by_username("alice").display_name == "Alice 9"
