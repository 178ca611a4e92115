"""Changes of accounts, each one call that commits (see boards/changes.py, "who commits"):
register, sessions opened and ended, the password, the profile and the browser's zone."""

from taskflow import people, security, timezones
from taskflow.extensions import db
from taskflow.models import ChatRoom, User, UserSession
from taskflow.realtime import connection as live
from taskflow.realtime import topics
from taskflow.refusals import Refused

SLOW_DOWN = "You changed your profile many times in a short while. Wait a little, then save."


def register(username: str, password: str, browser_zone: object = None) -> User:
    user = User(username, password)
    take_browser_zone(user, browser_zone)
    db.session.add(user)
    db.session.commit()
    return user


def open_session(user: User, user_agent: str) -> None:
    """A new server-side session of the user (its token is the user's session_token), with
    whatever else the login changed (the browser's zone)."""
    user.session_token = UserSession.start(user, user_agent)
    db.session.commit()


def end_sessions(*session_ids: int) -> None:
    """End these sessions: their cookies stop working and their sockets close (4401)."""
    UserSession.end(*session_ids)
    for session_id in session_ids:
        live.end_scope(topics.session(session_id), kind="logout")
    db.session.commit()


def change_password(user: User, password: str) -> None:
    """A new password ends every session of the user (the caller opens a new one)."""
    user.set_password(password)
    end_sessions(*UserSession.ids_of(user.id))


def take_browser_zone(user: User, value: object) -> bool:
    """Keep the browser's zone for a user who has none yet (a zone chosen on the profile page
    is not overwritten by a browser elsewhere). Unknown names are ignored. Not committed."""
    zone = timezones.clean_zone(value)
    if zone is None or user.time_zone:
        return False
    user.time_zone = zone
    return True


def save_browser_zone(user: User, value: object) -> None:
    if take_browser_zone(user, value):
        db.session.commit()


def save_profile(user: User, display_name: str, zone: str, colour: str, theme: str) -> None:
    """Refused (429) beyond PROFILE_RATE_LIMIT: a save renders the user's messages afresh in
    every room they are in, for all readers, bounded like every action that makes others do
    work."""
    if not security.count("PROFILE_RATE_LIMIT", "profile", str(user.id)):
        raise Refused(SLOW_DOWN, 429)
    user.display_name = people.clean_display_name(display_name)
    user.time_zone = timezones.clean_zone(zone)
    user.avatar_color = colour
    user.theme = theme
    # Cached renderings of the user's messages are keyed by it: they render afresh, and
    # so do their rooms' cached latest pages.
    user.profile_version += 1
    ChatRoom.people_changed(user.id)
    db.session.commit()
