"""Extensions, created once here and bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sock import Sock
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from taskflow.realtime.broadcaster import Broadcaster


class Base(DeclarativeBase):
    pass


# Tables whose ids appear in URLs, topics or fragments: SQLite must never hand a deleted
# row's id to a new one (migration a1d0c4e5f6b7); PostgreSQL sequences never go back.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to continue."
csrf = CSRFProtect()
sock = Sock()
broadcaster = Broadcaster()
limiter = Limiter(key_func=get_remote_address)
