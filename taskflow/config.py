"""Configuration, read from the environment when an app is created: one row per variable in
`SETTINGS` (the README's table lists the same variables with the same defaults;
tests/test_config.py checks both), and the settings no variable changes in `FIXED`.

Nothing is read at import: a test or a second app sees the environment as it is then."""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent


def instance_dir() -> Path:
    """The folder of the SQLite file, the embedded Redis and the secret key."""
    return Path(os.environ.get("TASKFLOW_INSTANCE", ROOT / "instance"))


def _database_url(url: str) -> str:
    url = url or f"sqlite:///{instance_dir() / 'taskflow.db'}"
    # Heroku-style URLs name no driver; we speak psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str, lock_timeout_ms: int) -> dict:
    """For the database the app was given (which a test may have changed)."""
    options: dict = {}
    if url.startswith("postgresql"):
        # A network database can drop idle connections: test each before use. (A SQLite
        # file cannot, and the ping would cost a query per request and per socket frame.)
        options["pool_pre_ping"] = True
        options["connect_args"] = {"options": f"-c lock_timeout={lock_timeout_ms}"}
    return options


def _bool(value: str) -> bool:
    return value.lower() in ("1", "true", "yes", "on")


class Setting(NamedTuple):
    """One environment variable: read as text (`default` when unset), parsed, and set as the
    config `keys` (its own name unless given)."""

    name: str
    parse: Callable[[str], Any]
    default: str
    meaning: str
    keys: tuple[str, ...] = ()


SETTINGS = (
    # name, parser, default (as the environment would say it), meaning[, config keys]
    Setting("SECRET_KEY", str, "", "unset: a random key made once (secret_key.py)"),
    Setting("DATABASE_URL", _database_url, "", "unset: SQLite in the instance folder",
            ("SQLALCHEMY_DATABASE_URI",)),
    Setting("REDIS_URL", str, "", "unset: the embedded server (started if needed)"),
    Setting("RQ_QUEUE", str, "taskflow", "the RQ queue's name"),
    # Sockets from any other origin are refused.
    Setting("PUBLIC_ORIGIN", str, "", "the origin browsers use (unset: the request's Host)"),
    # Task URLs of these hosts become chips (taskflow/chips.py); never the request's Host,
    # which the client chooses and whose rendering is cached for everyone.
    Setting("PUBLIC_HOSTS", str, "", "hosts of task URLs (unset: PUBLIC_ORIGIN's, localhost)"),
    Setting("SECURE_COOKIES", _bool, "False", "cookies only over HTTPS",
            ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")),
    # "topic": a Redis channel per topic, each web process receives only what it follows;
    # "single": every event on one channel (the former design, kept for the benchmarks).
    Setting("BROADCAST_CHANNELS", str, "topic", "topic or single"),
    # Rate limits (Flask-Limiter syntax), counted in Redis; they fail open if Redis is away.
    Setting("LOGIN_LIMIT_PER_IP", str, "30 per minute", "login attempts per address"),
    # Failed logins, not attempts: per account from one address, so that nobody locks the
    # owner out by failing in their name; and a looser cap per account from all addresses.
    Setting("LOGIN_FAILURES_PER_ACCOUNT_IP", str, "10 per minute", "per account and address"),
    Setting("LOGIN_FAILURES_PER_ACCOUNT", str, "100 per hour", "failed logins per account"),
    # Each sign-up costs a password hash on the web process, and tells whether a name is taken.
    Setting("REGISTER_LIMIT_PER_IP", str, "10 per minute; 50 per day", "sign-ups per address"),
    Setting("MESSAGE_RATE_LIMIT", str, "20 per 5 seconds", "messages, comments, edits per user"),
    # Each change is rendered for everyone who has the board or the task open.
    Setting("BOARD_EDIT_RATE_LIMIT", str, "20 per 5 seconds", "task and column changes per user"),
    # Each toggle re-renders a message or comment for all its viewers.
    Setting("REACTION_RATE_LIMIT", str, "20 per 10 seconds", "reaction toggles per user"),
    Setting("READ_RATE_LIMIT", str, "120 per minute", "read positions moved per user"),
    # Each search reads the full-text indexes of everything the user may read.
    Setting("SEARCH_RATE_LIMIT", str, "30 per 10 seconds; 300 per hour", "searches per user"),
    # Each loads a task's chip (a task URL in a live message or comment; a page's chips on
    # reconnecting): a query per request.
    Setting("CHIP_RATE_LIMIT", str, "60 per 10 seconds", "task chip loads per user"),
    # Each save renders the user's messages afresh for every reader.
    Setting("PROFILE_RATE_LIMIT", str, "10 per 10 minutes", "profile saves per user"),
    Setting("INVITE_LIMIT_PER_OWNER", str, "30 per hour", "attempts to invite per user"),
    Setting("JOIN_LIMIT_PER_IP", str, "30 per minute", "invite-link views and joins per address"),
    # Each new direct message appears in other people's lists.
    Setting("DIRECT_LIMIT_PER_USER", str, "30 per hour", "new direct messages per user"),
    # Each new room lands in every board member's list of rooms.
    Setting("ROOM_LIMIT_PER_USER", str, "10 per minute; 100 per day", "new rooms per user"),
    Setting("ROOMS_PER_BOARD", int, "200", "rooms a board may hold in all"),
    # Across all web processes; beyond it the oldest one closes.
    Setting("SOCKETS_PER_USER", int, "30", "open sockets per user"),
    # One unanswered by the next: dropped.
    Setting("SOCKET_PING_SECONDS", float, "25", "seconds between pings to a socket's client"),
    Setting("BADGE_POLL_SECONDS", int, "30", "a page without a socket refreshes the badge"),
    # The worker's sweep for notifications whose job never ran: how often, and how old a
    # message must be before the sweep takes it over from its queued job.
    Setting("SWEEP_SECONDS", float, "30", "how often the sweep runs"),
    Setting("SWEEP_AFTER_SECONDS", float, "10", "the age it takes a message over at"),
    # Then the user is told the database is away.
    Setting("DB_LOCK_TIMEOUT_MS", int, "5000", "how long a write waits for a lock"),
)  # fmt: skip

FIXED = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # a tab left open all day must still post
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_HEADERS_ENABLED": False,
    # Client frames over 16 KiB close the socket with 1009. Each socket's own greenlet reads
    # its frames and sends its pings (realtime/connection.py): simple_websocket starts no
    # reader (realtime.init_app sets its thread_class).
    "SOCK_SERVER_OPTIONS": {"max_message_size": 16 * 1024},
}


def from_environment() -> dict:
    """Every setting: each variable of SETTINGS as the environment has it now, and FIXED."""
    config = {key: value for key, value in FIXED.items()}
    config["SOCK_SERVER_OPTIONS"] = dict(FIXED["SOCK_SERVER_OPTIONS"])  # the app may add to it
    for setting in SETTINGS:
        value = setting.parse(os.environ.get(setting.name, setting.default))
        for key in setting.keys or (setting.name,):
            config[key] = value
    return config
