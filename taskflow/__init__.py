"""TaskFlow: kanban boards with real-time team chat."""

from pathlib import Path

import rq
from flask import Flask
from redis import Redis

from taskflow import embedded_redis, fragments, mentions, secret_key, security
from taskflow.config import INSTANCE_DIR, Config
from taskflow.converters import BoundedIntConverter
from taskflow.extensions import broadcaster, csrf, db, limiter, login_manager, migrate, sock

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    # Before any route is added: every <int:...> id is bounded (no OverflowError, a 404).
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(Config)
    app.config.update(config or {})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SECRET_KEY"] = secret_key.resolve(app.config["SECRET_KEY"], Path(app.instance_path))

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    sock.init_app(app)
    _init_redis(app)
    broadcaster.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", security.storage_uri(app.config["REDIS_URL"]))
    limiter.init_app(app)
    security.init_app(app)

    from taskflow import (
        account,
        auth,
        autocomplete,
        boards,
        cli,
        columns,
        comments,
        errors,
        invitations,
        main,
        members,
        messages,
        notification_center,
        rooms,
        sockets,
        tasks,
    )

    for module in (
        auth,
        account,
        autocomplete,
        boards,
        members,
        invitations,
        columns,
        tasks,
        comments,
        rooms,
        messages,
        sockets,
        notification_center,
        main,
    ):
        app.register_blueprint(module.bp)
    app.jinja_env.filters["mentions"] = mentions.render
    app.jinja_env.globals["message_html"] = fragments.message_html
    app.context_processor(notification_center.unread_badge)
    errors.init_app(app)
    cli.init_app(app)
    return app


def _init_redis(app: Flask) -> None:
    """Connect to REDIS_URL, or to the instance's embedded server. Only the address: the
    connection is made on first use, and the processes that need Redis start the embedded
    one (the launcher, `flask worker`, the tests), so `flask db upgrade` needs none."""
    url = app.config["REDIS_URL"] or embedded_redis.socket_url(Path(app.instance_path))
    app.config["REDIS_URL"] = url
    app.redis = Redis.from_url(url, health_check_interval=30)
    app.task_queue = rq.Queue(app.config["RQ_QUEUE"], connection=app.redis)
