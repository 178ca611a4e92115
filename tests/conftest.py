"""Fixtures: a real database (SQLite, or PostgreSQL via TEST_DATABASE_URL), a real Redis
(REDIS_URL, or the embedded one), a live gunicorn server and real headless Chromium."""

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import text

from taskflow import create_app, stack
from taskflow.extensions import db
from taskflow.models import User
from taskflow.stack import wait_until  # noqa: F401 (the tests import it from here)

from .selection import on_postgres

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
SECRET = "tests-only-secret-key-of-at-least-32-characters"

# Tests that drive real processes, sockets or a browser: marked `live` automatically, so CI
# can run them a second time to catch flakiness (tests added later are covered too).
LIVE_FIXTURES = {"live_server", "live_worker", "browser"}
LIVE_MODULES = {"test_faults", "test_launch"}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if LIVE_FIXTURES & set(item.fixturenames) or module in LIVE_MODULES:
            item.add_marker(pytest.mark.live)
        # Benchmarks measure the machine: all in one worker, one after the other.
        if item.get_closest_marker("bench"):
            item.add_marker(pytest.mark.xdist_group("bench"))
        # What may differ on PostgreSQL (tests/selection.py says why each is in it).
        if on_postgres(module, getattr(item, "originalname", item.name), set(item.fixturenames)):
            item.add_marker(pytest.mark.postgres)


# --- waiting: every wait has a deadline and waits on a condition ------------------------


def frames_until(ws, match: str | Callable[[str], bool], timeout: float = 5) -> list[str]:
    """Read frames until one matches (contains `match`, or `match(frame)` is true); returns
    every frame read, the matching one last. Fails at the deadline, listing what came."""
    import websocket

    matches = match if callable(match) else (lambda frame: match in frame)
    frames: list[str] = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        ws.settimeout(left)
        try:
            frame = ws.recv()
        except websocket.WebSocketTimeoutException:
            break
        frames.append(frame)
        if matches(frame):
            return frames
    seen = "\n".join(f[:200] for f in frames)
    raise AssertionError(f"no frame matching {match!r} within {timeout}s; got:\n{seen}")


def receive_until(ws, match: str | Callable[[str], bool], timeout: float = 5) -> str:
    """The first frame that matches (see frames_until)."""
    return frames_until(ws, match, timeout)[-1]


def following(ws) -> list[str]:
    """Wait until a new socket follows its topics: every socket's first frames end with the
    user's badge, sent after the server subscribed it. Returns those first frames."""
    return frames_until(ws, 'id="notification-badge"')


def expect_socket_open(page) -> None:
    """The page's WebSocket is open (static/js/live.js sets body[data-socket]). A locator, not
    wait_for_function: our CSP forbids the eval that a string predicate needs."""
    from playwright.sync_api import expect

    expect(page.locator("body")).to_have_attribute("data-socket", "open")


def expect_settled(page) -> None:
    """htmx has finished with what it last swapped in. New content is only htmx-enabled
    when it settles (20 ms later; until then it carries htmx-added), and a key pressed on
    it before that submits its form natively: a full page load that loses the focus."""
    from playwright.sync_api import expect

    expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)


# pytest-xdist names each worker (gw0, gw1, ...) in this variable; unset in a serial run.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """REDIS_URL, or an embedded Redis of the session's own. Parallel workers (xdist) each
    start their own: a database number of a shared Redis would not do, as publish/subscribe
    channels are shared by every database of a server, and the tests flush theirs."""
    if os.environ.get("REDIS_URL") and not WORKER:
        yield os.environ["REDIS_URL"]
        return
    instance = tmp_path_factory.mktemp("redis")
    yield stack.start_redis(instance)
    stack.stop_redis(instance)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite in the session's temporary folder (each parallel worker has its own), or
    TEST_DATABASE_URL (PostgreSQL): there each parallel worker gets a database of its own."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return worker_database(url).replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def worker_database(url: str) -> str:
    """The URL of this parallel worker's PostgreSQL database (<name>_gw0, ...), created on
    the server of `url` when missing; `url` itself in a serial run."""
    if not WORKER:
        return url
    import psycopg

    url = url.replace("postgresql+psycopg://", "postgresql://", 1)
    base, name = url.rsplit("/", 1)
    name = f"{name}_{WORKER}"
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


# Tests make board changes and rooms faster than a person: these limits are tested where
# they are the point (test_edit_limits, test_room_bounds set their own), not tripped by
# whichever test is fast enough on the day.
BUSY_TEST_LIMITS = {
    "BOARD_EDIT_RATE_LIMIT": "1000 per second",
    "ROOM_LIMIT_PER_USER": "1000 per second",
}


def scratch_app(tmp_path: Path, redis_url: str):
    """An app on a SQLite database of its own (tmp_path), for a migration test that goes down
    and up again without touching the session's database."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.db'}",
            "REDIS_URL": redis_url,
        }
    )


@pytest.fixture(scope="session")
def app(database_url, redis_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "RQ_QUEUE": "taskflow-test",
            **BUSY_TEST_LIMITS,
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()  # the schema comes from the migrations, as in production
    return app


@pytest.fixture(autouse=True)
def clean_state(request):
    """Every test starts with empty tables and an empty Redis."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        app.redis.flushdb()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def make_user(app):
    def make(username: str, password: str = PASSWORD) -> User:
        with app.app_context():
            user = User(username, password)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


# --- CSRF tokens: where the pages carry them, in one place -----------------------------


def page_csrf(html: str) -> str:
    """The CSRF token htmx sends as X-CSRFToken (the body's hx-headers) on a page."""
    found = re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert found, "no X-CSRFToken on the page"
    return found[1]


def form_csrf(html: str) -> str:
    """A form's csrf_token field (the login form: before the session has a page token)."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found, "no csrf_token field on the page"
    return found[1]


def live_csrf(session: requests.Session, base_url: str, path: str = "/boards") -> str:
    """The CSRF token of a logged-in live session (read from one of its pages)."""
    return page_csrf(session.get(f"{base_url}{path}").text)


# --- in-process clients ------------------------------------------------------------------


class Client:
    """A test client that behaves like a browser: it keeps cookies and sends the CSRF token."""

    def __init__(self, flask_client):
        self.http = flask_client
        self.token = None

    def csrf(self) -> str:
        if self.token is None:
            page = self.http.get("/boards", follow_redirects=True).get_data(as_text=True)
            self.token = page_csrf(page)
        return self.token

    def get(self, url, htmx=False, **kw):
        return self.http.get(url, headers=_htmx(htmx), **kw)

    def post(self, url, data=None, htmx=False, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf())
        return self.http.post(url, data=data, headers=_htmx(htmx), **kw)

    def login(self, username: str, password: str = PASSWORD):
        self.token = None
        response = self.post("/login", {"username": username, "password": password})
        self.token = None  # the session is renewed at login
        return response


def _htmx(htmx: bool) -> dict:
    return {"HX-Request": "true"} if htmx else {}


@pytest.fixture
def client(app):
    return Client(app.test_client())


def as_user(app, username: str, password: str = PASSWORD) -> Client:
    """A Client logged in as an existing user."""
    client = Client(app.test_client())
    assert client.login(username, password).status_code == 302
    return client


@pytest.fixture
def login(app, make_user):
    """login("alice") → a Client logged in as a new user alice."""

    def log_in(username: str) -> Client:
        make_user(username)
        return as_user(app, username)

    return log_in


# --- live server and browser -------------------------------------------------------------


def server_env(database_url: str, redis_url: str) -> dict:
    """The environment of the live processes. Their queue is not the test process's, so a
    test's burst worker and the live worker never take each other's jobs."""
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=SECRET,
        RQ_QUEUE="taskflow-live",
        WEB_CONCURRENCY="1",
        BADGE_POLL_SECONDS="1",
        # Browser tests sign up many users from one address; the limit is tested in-process.
        REGISTER_LIMIT_PER_IP="1000 per minute",
        **BUSY_TEST_LIMITS,
    )


@pytest.fixture(scope="session")
def live_server_log(tmp_path_factory) -> Path:
    """Where the live server writes its log (a test that fails may show its end)."""
    return tmp_path_factory.mktemp("server") / "gunicorn.log"


@pytest.fixture(scope="session")
def live_server(app, database_url, redis_url, live_server_log):
    log = open(live_server_log, "w")  # noqa: SIM115
    process, url = stack.start_web(server_env(database_url, redis_url), log=log)
    yield url
    stack.stop(process)
    log.close()


@pytest.fixture
def another_web(app, database_url, redis_url):
    """another_web() → (process, URL): one more live web process, stopped after the test."""
    processes = []

    def start(env: dict | None = None) -> tuple:
        process, url = stack.start_web(env or server_env(database_url, redis_url))
        processes.append(process)
        return process, url

    yield start
    for process in processes:
        stack.stop(process)


@pytest.fixture(scope="session")
def live_worker(live_server, database_url, redis_url, tmp_path_factory):
    """A real `flask worker` process (RQ, with the notification sweep) for the live server."""
    log = open(tmp_path_factory.mktemp("worker") / "worker.log", "w")  # noqa: SIM115
    process = stack.start_worker(server_env(database_url, redis_url), log=log)
    yield process
    stack.stop(process)
    log.close()


def run_jobs(app) -> None:
    """Run every queued job with a real RQ worker, here, in burst mode."""
    from rq import SimpleWorker

    with app.app_context():
        SimpleWorker([app.task_queue], connection=app.redis).work(burst=True, with_scheduler=True)
        db.session.remove()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(request, browser):
    """new_context(**options) → a fresh browser context: its own cookies, so a separate user.
    The tests' one factory of contexts, closed after the test. On the live server unless
    `base_url` names another (a proxy, a second web process); `timeout` (ms) is the default of
    every wait; other options go to Playwright's new_context (java_script_enabled=False,
    timezone_id, viewport, ...)."""
    contexts = []

    def make(*, base_url: str | None = None, timeout: float = 10_000, **options):
        # The live server only when asked for: a test on other processes needs none.
        url = base_url or request.getfixturevalue("live_server")
        context = browser.new_context(base_url=url, **options)
        context.set_default_timeout(timeout)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(new_context):
    """new_page(username=None, **options) → the page of a fresh context (new_context's
    options), logged in through the login form when a username is given."""

    def make(username: str | None = None, **options):
        page = new_context(**options).new_page()
        if username:
            browser_login(page, username)
        return page

    return make


@pytest.fixture
def no_js(new_page):
    """no_js(username) → a page of a browser with JavaScript off, logged in."""
    return lambda username: new_page(username, java_script_enabled=False)


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form in the browser."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/boards")


def open_room(page, room_id: int) -> None:
    """Open a chat room and wait until its socket is open and the room shows who is online."""
    from playwright.sync_api import expect

    page.goto(f"/rooms/{room_id}")
    expect(page.locator("#room-members li.online")).not_to_have_count(0)
    expect_socket_open(page)


@pytest.fixture
def proxy(live_server):
    """A TCP proxy in front of the live server, whose connections a test cuts or refuses."""
    from .proxy import CuttableProxy

    proxy = CuttableProxy(int(live_server.rsplit(":", 1)[1]))
    yield proxy
    proxy.close()


@pytest.fixture
def room_page(new_page):
    """room_page(base_url, username, room_id) → a page of its own browser context (its own
    user), logged in, with the room open and live."""

    def make(base_url: str, username: str, room_id: int, timeout: float = 20_000):
        page = new_page(username, base_url=base_url, timeout=timeout)
        open_room(page, room_id)
        return page

    return make


def browser_register(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/boards")


# --- live HTTP and WebSocket clients -----------------------------------------------------


def http_login(
    base_url: str, username: str, password: str = PASSWORD, remember: bool = False
) -> requests.Session:
    """Log in through the login form, as a browser would; returns the session."""
    session = requests.Session()
    form = {"username": username, "password": password, "csrf_token": ""}
    form["csrf_token"] = form_csrf(session.get(f"{base_url}/login").text)
    if remember:
        form["remember"] = "y"
    response = session.post(f"{base_url}/login", data=form, allow_redirects=False)
    assert response.status_code == 302, response.text
    return session


def send(ws, **fields) -> None:
    """As htmx-ext-ws sends a form: its fields plus a HEADERS object."""
    ws.send(json.dumps({**fields, "HEADERS": {"HX-Request": "true", "HX-Trigger": "composer"}}))


def close_code(ws) -> int:
    """Read until the server closes the socket; its close code."""
    import websocket

    ws.settimeout(5)
    opcode, data = ws.recv_data(control_frame=True)
    while opcode != websocket.ABNF.OPCODE_CLOSE:
        opcode, data = ws.recv_data(control_frame=True)
    return int.from_bytes(data[:2], "big")


def ws_connect(
    base_url: str,
    path: str,
    session: requests.Session | None = None,
    origin: str | None = None,
    timeout: float = 5,
):
    """Open a WebSocket on the live server with the session's cookie and our own Origin."""
    import websocket

    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies) if session else None
    return websocket.create_connection(
        base_url.replace("http", "ws", 1) + path,
        cookie=cookie,
        origin=origin or base_url,
        timeout=timeout,
    )


@pytest.fixture
def chat_room(app, make_user):
    """Board "Launch" with alice (owner), bob and carol; room "general" with alice and bob.
    Returns the room id."""
    from taskflow.models import Board, ChatRoom

    for name in ("alice", "bob", "carol"):
        make_user(name)
    with app.app_context():
        alice, bob, carol = (User.by_username(n) for n in ("alice", "bob", "carol"))
        board = Board.create("Launch", "", alice)
        board.add_member(bob)
        board.add_member(carol)
        room = ChatRoom(board, "general", "Everything", alice)
        room.members.append(bob)
        db.session.add(room)
        db.session.commit()
        room_id = room.id
        db.session.remove()
    return room_id


def autoincrement_of_never_reused_tables() -> dict[str, bool]:
    """SQLite, in an app context: each table whose ids are never reused (sqlite_autoincrement
    in the models), and whether the database's table has AUTOINCREMENT (SQLite's batch mode
    rebuilds a table without it unless told)."""
    schemas = dict(db.session.execute(text("SELECT name, sql FROM sqlite_master")).all())
    return {
        table.name: "AUTOINCREMENT" in schemas[table.name]
        for table in db.metadata.sorted_tables
        if table.dialect_kwargs.get("sqlite_autoincrement")
    }


def second_room(app, room_id: int, name: str = "random") -> int:
    """Another room of the board with alice and bob."""
    from taskflow.models import ChatRoom

    with app.app_context():
        general = db.session.get(ChatRoom, room_id)
        room = ChatRoom(general.board, name, "", general.created_by)
        room.members.append(User.by_username("bob"))
        db.session.add(room)
        db.session.commit()
        new_id = room.id
        db.session.remove()
        return new_id


@pytest.fixture
def board_with_task(app, make_user):
    """Board "Launch" (alice owner, bob member) with task "Ship it" in To Do; carol is on no
    board. Returns (board id, task id, column ids)."""
    from taskflow.models import Board, Task

    for name in ("alice", "bob", "carol"):
        make_user(name)
    with app.app_context():
        alice, bob = User.by_username("alice"), User.by_username("bob")
        board = Board.create("Launch", "", alice)
        board.add_member(bob)
        task = Task(column=board.columns[0], title="Ship it", position=0, created_by=alice)
        db.session.add(task)
        db.session.commit()
        result = board.id, task.id, [c.id for c in board.columns]
        db.session.remove()
    return result


@pytest.fixture
def board_with_task_in(app, chat_room):
    """A task "Ship it" on the chat room's board. Returns its id."""
    from taskflow.models import ChatRoom, Task

    with app.app_context():
        board = db.session.get(ChatRoom, chat_room).board
        task = Task(column=board.columns[0], title="Ship it", position=0)
        db.session.add(task)
        db.session.commit()
        task_id = task.id
        db.session.remove()
    return task_id
