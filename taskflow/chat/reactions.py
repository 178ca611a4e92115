"""Reactions: the checks every toggle passes (messages here, comments in boards/comment_reactions),
the toggle on a chat message, and the page that offers the fixed set without JavaScript.

A reaction is a change of its message: numbered with the room's next change number and
published like an edit (chat/service.py), so live pages replace their copy and reconnecting
pages catch it up. The reaction bar is part of the message's one rendering for every viewer
(templates/_reaction_bar.html); the viewer's own reactions are styled by viewer.css and
marked aria-pressed by static/js/reactions.js."""

from collections.abc import Callable

from flask import redirect, render_template, request
from flask_login import current_user

from taskflow import security, timezones
from taskflow.chat import service
from taskflow.extensions import db
from taskflow.htmx import is_htmx
from taskflow.models import ChatMessage, ChatRoom, Reaction
from taskflow.models.reaction import EMOJI, choices, tallies
from taskflow.people import shown_name
from taskflow.realtime import topics

UNKNOWN = "That reaction is not one TaskFlow offers. Choose one of the list."
SLOW_DOWN = "You are reacting too fast. Wait a few seconds, then try again."


def refusal(emoji: object, user_id: int) -> str | None:
    """Why this toggle is refused, or None (then it is counted against the user's limit:
    each toggle re-renders the target for everyone who has it open)."""
    if not isinstance(emoji, str) or emoji not in EMOJI:
        return UNKNOWN
    if not security.count("REACTION_RATE_LIMIT", "reaction", str(user_id)):
        return SLOW_DOWN
    return None


def refused(error: str, status: int | None = None) -> tuple[str, int]:
    """The answer to a refused toggle (or edit): 429 for too fast, 400 for an unknown emoji,
    else `status`; a line in the page's flash area for htmx, an error page without
    JavaScript."""
    status = status or (429 if error == SLOW_DOWN else 400)
    template = "errors/_fragment.html" if is_htmx() else "errors/page.html"
    return render_template(template, code=status, message=error), status


def toggle_on_message(message: ChatMessage, user_id: int, emoji: str) -> bool:
    """Add or remove the user's emoji on the message, then publish the message; whether it
    was added. The change is numbered first: in PostgreSQL that locks the room's changes, so
    concurrent toggles apply (and render) one after another, each seeing those before it."""
    timezones.reader_zones(topics.room(message.room_id))  # before the room's write lock
    message.seq = ChatRoom.next_seq(message.room_id)
    added = Reaction.toggle(user_id, emoji, message_id=message.id)
    db.session.expire(message, ["reactions"])  # rendered (before the commit) as it is now
    service.publish_numbered(message)
    return added


def picker_page(reactions: list[Reaction], user_id: int, **context) -> str:
    """The fixed set for the viewer: each saying its count, who reacted and whether the
    viewer did. For htmx the picker under the React link (reactions.js), else a page whose
    buttons are one form with the viewer's token. `context`: heading, excerpt, action, back,
    prefix (of the reaction buttons' ids)."""
    found = {tally.key: tally for tally in tallies(reactions)}
    mine = {r.emoji for r in reactions if r.user_id == user_id}
    options = [
        {
            "key": key,
            "emoji": emoji,
            "name": name,
            "count": found[key].count if key in found else 0,
            "label": found[key].label if key in found else f"{emoji} {name}: 0 reactions",
            "pressed": key in mine,
        }
        for key, emoji, name in choices()
    ]
    template = "_reaction_picker.html" if is_htmx() else "reactions.html"
    return render_template(template, options=options, **context)


def answer(
    target,
    noun: str,
    action: str,
    back: str,
    toggle: Callable[[str], object],
    fragment: Callable[[], str],
):
    """The reaction route of a message or a comment (`target`, which the caller may read):
    GET is the picker page (without JavaScript), POST checks the emoji and the rate, toggles,
    and answers htmx with the target's `fragment` (the page's own copy at once, should its
    socket be down), a plain form with a redirect `back`."""
    if request.method == "GET":
        author = shown_name(target.author) if target.author else "a deleted user"
        return picker_page(
            target.reactions,
            current_user.id,
            heading=f"React to {author}’s {noun}",
            excerpt=target.content[:200],
            action=action,
            back=back,
            prefix=f"{noun[0]}{target.id}",
        )
    emoji = request.form.get("emoji")
    error = refusal(emoji, current_user.id)
    if error:
        return refused(error)
    toggle(emoji)
    return fragment() if is_htmx() else redirect(back)
