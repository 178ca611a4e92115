import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from taskflow import timezones
from taskflow.accounts import devices
from taskflow.extensions import db
from taskflow.models import User, UserSession
from taskflow.models.user import utcnow

from .conftest import PASSWORD, Client


def register(client, username, password=PASSWORD, confirm=None):
    return client.post(
        "/register",
        {"username": username, "password": password, "confirm": confirm or password},
    )


def test_register_logs_in_and_stores_a_hash(client, app):
    response = register(client, "Alice_1.x-y")
    assert response.status_code == 302 and response.location.endswith("/boards")
    assert "Alice_1.x-y" in client.get("/boards").get_data(as_text=True)
    with app.app_context():
        user = User.by_username("alice_1.X-Y")
        assert user.password_hash != PASSWORD and user.check_password(PASSWORD)


def test_register_rejects_bad_input_and_keeps_what_was_typed(client):
    cases = {
        "ab": "3–30 letters",
        "a" * 31: "3–30 letters",
        "bad name": "3–30 letters",
        "<script>": "3–30 letters",
    }
    for username, error in cases.items():
        response = register(client, username)
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and error in body
    response = register(client, "carol", password="short")
    assert response.status_code == 422 and "at least 8" in response.get_data(as_text=True)
    assert 'value="carol"' in response.get_data(as_text=True)
    response = register(client, "carol", confirm="something else")
    assert "Passwords differ" in response.get_data(as_text=True)


def test_usernames_are_unique_case_insensitively(client, make_user):
    make_user("Dave")
    response = register(client, "dAVE")
    assert response.status_code == 422 and "taken" in response.get_data(as_text=True)


def test_login_wrong_password_and_unknown_user_look_the_same(client, make_user):
    make_user("erin")
    wrong = client.post("/login", {"username": "erin", "password": "nope-nope-nope"})
    unknown = client.post("/login", {"username": "nobody", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 422
    assert "Wrong username or password." in wrong.get_data(as_text=True)
    assert "Wrong username or password." in unknown.get_data(as_text=True)


def test_login_is_case_insensitive_and_remember_me_sets_a_cookie(client, make_user):
    make_user("Frank")
    response = client.post("/login", {"username": "FRANK", "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert any(c.key == "remember_token" for c in client.http._cookies.values())


def test_login_next_only_follows_local_paths(app, make_user):
    make_user("gina")
    for target in ["/boards/7", "//evil.example", "https://evil.example/x", "/\\evil"]:
        c = Client(app.test_client())
        response = c.post(f"/login?next={target}", {"username": "gina", "password": PASSWORD})
        assert response.location == (target if target == "/boards/7" else "/boards"), target


def test_pages_need_login_and_logout_is_a_post(client, login):
    for url in ["/boards", "/boards/1", "/tasks/1", "/notifications", "/boards/1/members"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login?next=" in response.location
    assert client.get("/healthz").status_code == 200
    alice = login("alice")
    assert alice.get("/logout").status_code == 405
    assert alice.post("/logout", csrf=False).status_code == 400
    assert alice.post("/logout").status_code == 302
    assert alice.get("/boards").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user("hank")
    response = client.post("/login", {"username": "hank", "password": PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_session_is_renewed_at_login(client, make_user):
    """Nothing from before login carries over: not even the CSRF secret of the session."""
    make_user("ivan")
    before = client.csrf()
    client.http.get("/login")
    assert client.post("/login", {"username": "ivan", "password": PASSWORD}).status_code == 302
    client.token = None
    assert client.csrf() != before


# -- the account page's sessions (issue 22) ------------------------------------------------

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("agent", "said"),
    [
        (CHROME_LINUX, "Chrome on Linux"),
        (SAFARI_IPHONE, "Safari on iOS"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on macOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.1 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            "Samsung Internet on Android",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
            "Chrome on iOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
            "Opera on Windows",
        ),
        (
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome on ChromeOS",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/131.0.6778.33 Safari/537.36",
            "Chrome on Linux",
        ),
        ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Firefox/133.0", "Firefox on Linux"),
        ("curl/8.5.0", "curl"),
        ("Mozilla/5.0 (Windows NT 10.0) SomethingNew/1.0", "A browser on Windows"),
        ("Werkzeug/3.1.3", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_a_user_agent_is_said_as_browser_and_system(agent, said):
    assert devices.describe(agent) == said


def client_with_agent(app, agent: str) -> Client:
    client = Client(app.test_client())
    client.http.environ_base["HTTP_USER_AGENT"] = agent
    assert client.login("alice").status_code == 302
    return client


def test_the_account_page_names_each_device_and_when_it_was_last_active(app, make_user):
    make_user("alice")
    laptop = client_with_agent(app, CHROME_LINUX)
    client_with_agent(app, SAFARI_IPHONE)
    with app.app_context():  # the phone was last used 5 minutes ago
        phone = db.session.scalars(select(UserSession).order_by(UserSession.id.desc())).first()
        phone.last_active_at = utcnow() - timedelta(minutes=5, seconds=10)
        db.session.commit()
        db.session.remove()
    page = laptop.get("/account").get_data(as_text=True)
    sessions = re.search(r'<ul class="sessions">(.*?)</ul>', page, re.S)[1]
    items = [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in sessions.split("<li>")[1:]]
    assert items[0].startswith("Safari on iOS · last active 5 min ago · signed in")
    assert items[1].startswith("Chrome on Linux · this device · last active just now")
    assert "Mozilla" not in page and "this browser" not in page
    # The relative time says the absolute one in its title, and local_time.js leaves it be.
    ago = re.search(r'last active <time datetime="([^"]+)" title="([^"]+)"', sessions)
    assert not ago[1].endswith("Z") and re.match(r"\w+day \d+ \w+ \d{4}, \d\d:\d\d$", ago[2])


def test_a_session_in_use_is_noted_at_most_once_a_minute(app, make_user):
    make_user("alice")
    alice = client_with_agent(app, CHROME_LINUX)

    def last_active():
        with app.app_context():
            found = db.session.scalars(select(UserSession.last_active_at)).one()
            db.session.remove()
            return found

    first = last_active()
    alice.get("/boards")
    assert last_active() == first  # noted at login, a moment ago: not written again
    with app.app_context():
        db.session.execute(update(UserSession).values(last_active_at=first - timedelta(hours=2)))
        db.session.commit()
        db.session.remove()
    alice.get("/boards")
    assert last_active() >= first
    assert re.search(
        r"last active <time[^>]*>just now<", alice.get("/account").get_data(as_text=True)
    )


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (0.5, "just now"),
        (5, "5 min ago"),
        (59, "59 min ago"),
        (61, "1 h ago"),
        (60 * 30, "yesterday"),
        (60 * 24 * 3, "3 days ago"),
    ],
)
def test_ago_text(minutes, said):
    now = datetime(2026, 12, 7, 12, 0)
    assert timezones.ago_text(now - timedelta(minutes=minutes), now) == said
