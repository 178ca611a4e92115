"""TaskFlow: kanban boards with real-time team chat."""

from pathlib import Path

import rq
from flask import Flask
from redis import Redis
from sqlalchemy import event

from taskflow import (
    assets,
    chips,
    cooperative,
    embedded_redis,
    markup,
    secret_key,
    security,
    task_refs,
)
from taskflow import config as settings
from taskflow.converters import BoundedIntConverter
from taskflow.extensions import broadcaster, csrf, db, limiter, login_manager, migrate, sock

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """The app: its configuration (the environment, then `config`), the extensions bound to
    it, the areas over the transport, then the assets around it all."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(settings.instance_dir()),
    )
    # Before any route is added: every <int:...> id is bounded (no OverflowError, a 404).
    app.url_map.converters["int"] = BoundedIntConverter
    _configure(app, config or {})
    _init_extensions(app)
    _init_routes(app)
    _init_templates(app)
    # Last: it wraps the finished app (WhiteNoise) and compresses what every hook produced.
    assets.init_app(app)
    return app


def _configure(app: Flask, config: dict) -> None:
    """The environment's settings, then the caller's, then what follows from them."""
    app.config.update(settings.from_environment())
    app.config.update(config)
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        settings.engine_options(
            app.config["SQLALCHEMY_DATABASE_URI"], app.config["DB_LOCK_TIMEOUT_MS"]
        ),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SECRET_KEY"] = secret_key.resolve(app.config["SECRET_KEY"], Path(app.instance_path))


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    _init_sqlite(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    sock.init_app(app)
    _init_redis(app)
    broadcaster.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", security.storage_uri(app.config["REDIS_URL"]))
    limiter.init_app(app)
    security.init_app(app)


def _init_routes(app: Flask) -> None:
    """The areas, the transport beneath them, the pages of no area, error pages, commands."""
    from taskflow import accounts, boards, chat, cli, errors, main, notifications, realtime, search

    for area in (accounts, boards, chat, notifications, search):
        area.init_app(app)
    realtime.init_app(app)  # after the areas: they declare their socket endpoints on it
    app.register_blueprint(main.bp)
    errors.init_app(app)
    cli.init_app(app)


def _init_templates(app: Flask) -> None:
    app.jinja_env.globals["limits"] = _limits()
    app.jinja_env.globals["pause"] = cooperative.pause
    # What people write, as Markdown: `markdown` where the fragment around it is rendered
    # once per change anyway (chat messages), `markdown_cached` where a page renders the same
    # texts on every view (a task's description and comments).
    app.jinja_env.filters["markdown"] = markup.render_markdown
    app.jinja_env.filters["markdown_cached"] = markup.cached
    app.jinja_env.globals["excerpt"] = markup.excerpt
    # What "#42" and task URLs in a board's texts point into (taskflow/chips.py).
    app.jinja_env.globals["task_refs"] = chips.refs
    app.jinja_env.globals["message_refs"] = chips.message_refs
    app.jinja_env.globals["task_marker"] = task_refs.task_marker
    app.jinja_env.globals["notice_text"] = task_refs.plain_with_refs


def _limits() -> dict[str, int]:
    """The sizes templates show (maxlength, when a page is full), from the Python constants
    the server enforces: one number, one place."""
    from taskflow.boards import filter as board_filter
    from taskflow.models import checklist, column, label, message, notification, task
    from taskflow.search import query as search_query

    return {
        "message": message.MAX_CONTENT,
        "page": message.PAGE_SIZE,
        "notifications_page": notification.PAGE_SIZE,
        "column_name": column.NAME_MAX,
        "task_title": task.TITLE_MAX,
        "label_name": label.NAME_MAX,
        "board_filter": board_filter.QUERY_MAX,
        "checklist_text": checklist.TEXT_MAX,
        "checklist_items": checklist.ITEMS_MAX,
        "search": search_query.QUERY_MAX,
    }


def _init_sqlite(app: Flask) -> None:
    """SQLite ignores foreign keys (and so ON DELETE CASCADE) unless asked, per connection.
    WAL lets the web and worker processes read while one writes; busy_timeout makes a writer
    wait for the lock instead of failing at once. Set on this app's engine only."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    pragmas = (
        "foreign_keys=ON",
        "journal_mode=WAL",
        "synchronous=NORMAL",
        f"busy_timeout={app.config['DB_LOCK_TIMEOUT_MS']}",
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()


def _init_redis(app: Flask) -> None:
    """Connect to REDIS_URL, or to the instance's embedded server. Only the address: the
    connection is made on first use, and the processes that need Redis start the embedded
    one (the launcher, `flask worker`, the tests), so `flask db upgrade` needs none."""
    url = app.config["REDIS_URL"] or embedded_redis.socket_url(Path(app.instance_path))
    app.config["REDIS_URL"] = url
    app.redis = Redis.from_url(url, health_check_interval=30)
    app.task_queue = rq.Queue(app.config["RQ_QUEUE"], connection=app.redis)
