"""Configuration is a table (config.SETTINGS): every variable keeps its default, each is read
and parsed, and the README's table lists each one with the same default."""

import re
from pathlib import Path

import pytest

from taskflow import config

README = Path(__file__).resolve().parent.parent / "README.md"
# The settings with no variable set (SQLALCHEMY_DATABASE_URI aside: it names the instance).
DEFAULTS = {
    "BADGE_POLL_SECONDS": 30,
    "BOARD_EDIT_RATE_LIMIT": "20 per 5 seconds",
    "BROADCAST_CHANNELS": "topic",
    "CHIP_RATE_LIMIT": "60 per 10 seconds",
    "DB_LOCK_TIMEOUT_MS": 5000,
    "DIRECT_LIMIT_PER_USER": "30 per hour",
    "INVITE_LIMIT_PER_OWNER": "30 per hour",
    "JOIN_LIMIT_PER_IP": "30 per minute",
    "LOGIN_FAILURES_PER_ACCOUNT": "100 per hour",
    "LOGIN_FAILURES_PER_ACCOUNT_IP": "10 per minute",
    "LOGIN_LIMIT_PER_IP": "30 per minute",
    "MAX_CONTENT_LENGTH": 1048576,
    "MESSAGE_RATE_LIMIT": "20 per 5 seconds",
    "PROFILE_RATE_LIMIT": "10 per 10 minutes",
    "PUBLIC_HOSTS": "",
    "PUBLIC_ORIGIN": "",
    "RATELIMIT_HEADERS_ENABLED": False,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "REACTION_RATE_LIMIT": "20 per 10 seconds",
    "READ_RATE_LIMIT": "120 per minute",
    "SEARCH_RATE_LIMIT": "30 per 10 seconds; 300 per hour",
    "REDIS_URL": "",
    "REGISTER_LIMIT_PER_IP": "10 per minute; 50 per day",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    "ROOMS_PER_BOARD": 200,
    "ROOM_LIMIT_PER_USER": "10 per minute; 100 per day",
    "RQ_QUEUE": "taskflow",
    "SECRET_KEY": "",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "SOCKETS_PER_USER": 30,
    "SOCKET_PING_SECONDS": 25.0,
    "SOCK_SERVER_OPTIONS": {"max_message_size": 16384},
    "SWEEP_AFTER_SECONDS": 10.0,
    "SWEEP_SECONDS": 30.0,
    "WTF_CSRF_TIME_LIMIT": None,
}
# Read elsewhere than config.SETTINGS (the launcher, gunicorn, the tests, instance_dir).
ELSEWHERE = {
    "TASKFLOW_INSTANCE",
    "PORT",
    "HOST",
    "WEB_CONCURRENCY",
    "WORKER_CONNECTIONS",
    "TEST_DATABASE_URL",
    "CHROMIUM",
}


@pytest.fixture
def bare_environment(monkeypatch, tmp_path):
    for setting in config.SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)
    monkeypatch.setenv("TASKFLOW_INSTANCE", str(tmp_path))
    return tmp_path


def test_defaults_are_as_they_were(bare_environment):
    settings = config.from_environment()
    assert settings.pop("SQLALCHEMY_DATABASE_URI") == f"sqlite:///{bare_environment}/taskflow.db"
    assert settings == DEFAULTS


def test_each_variable_is_read_and_parsed(bare_environment, monkeypatch):
    given = {
        "DATABASE_URL": "postgres://someone@db/taskflow",
        "SECURE_COOKIES": "Yes",
        "SOCKET_PING_SECONDS": "0.5",
        "ROOMS_PER_BOARD": "7",
        "LOGIN_LIMIT_PER_IP": "1 per day",
    }
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    settings = config.from_environment()
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db/taskflow"
    assert settings["SESSION_COOKIE_SECURE"] is settings["REMEMBER_COOKIE_SECURE"] is True
    assert settings["SOCKET_PING_SECONDS"] == 0.5
    assert settings["ROOMS_PER_BOARD"] == 7
    assert settings["LOGIN_LIMIT_PER_IP"] == "1 per day"


def readme_table() -> dict[str, str]:
    """The README's configuration table: each variable's default cell."""
    table = README.read_text().split("| Variable | Default | Meaning |", 1)[1]
    defaults = {}
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        names, default = line.split("|")[1:3]
        names = re.findall(r"`([A-Z_]+)`", names)
        values = re.findall(r"`([^`]*)`", default)
        for i, name in enumerate(names):
            # "`A`, `B` | `1`, `2`": one default each; otherwise the cell's words.
            defaults[name] = values[i] if len(values) == len(names) else default.strip()
    return defaults


def test_the_readme_lists_every_variable_with_its_default():
    documented = readme_table()
    wrong = []
    for setting in config.SETTINGS:
        shown = documented.get(setting.name)
        if shown is None:
            wrong.append(f"{setting.name}: not in the README's table")
        elif setting.default and shown.lower() != setting.default.lower():
            wrong.append(f"{setting.name}: README says {shown!r}, config {setting.default!r}")
    unknown = set(documented) - {s.name for s in config.SETTINGS} - ELSEWHERE
    wrong += [f"{name}: in the README's table, read nowhere" for name in sorted(unknown)]
    assert not wrong, "\n".join(wrong)
