"""Reacting, to a chat message or a task comment alike: the checks every toggle passes, the
page that offers the fixed set without JavaScript, and the reaction route's answer. What a
toggle changes and publishes is its area's (chat.reactions.toggle_on_message,
boards.comment_thread.toggle_reaction): a `Reactable` names it."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import render_template, request, url_for
from flask_login import current_user

from taskflow import security
from taskflow.htmx import fragment_or_redirect, is_htmx
from taskflow.models import Reaction
from taskflow.models.reaction import EMOJI, choices, tallies
from taskflow.people import shown_name

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


@dataclass(frozen=True)
class Reactable:
    """What takes reactions: its noun ("message"), the endpoint of its toggle route (whose
    argument is `<noun>_id`), where a plain form goes back to, the toggle (the target, the
    user's id, the emoji) and the target's fragment for the reacting page."""

    noun: str
    endpoint: str
    back: Callable[[object], str]
    toggle: Callable[[object, int, str], object]
    fragment: Callable[[object], str]


def answer(target, kind: Reactable):
    """The reaction route of `target` (which the caller checked the user may read): GET is
    the picker page (without JavaScript), POST checks the emoji and the rate, toggles, and
    answers htmx with the target's fragment (the page's own copy at once, should its socket
    be down), a plain form with a redirect back."""
    action = url_for(kind.endpoint, **{f"{kind.noun}_id": target.id})
    if request.method == "GET":
        author = shown_name(target.author) if target.author else "a deleted user"
        return picker_page(
            target.reactions,
            current_user.id,
            heading=f"React to {author}’s {kind.noun}",
            excerpt=target.content[:200],
            action=action,
            back=kind.back(target),
            prefix=f"{kind.noun[0]}{target.id}",
        )
    emoji = request.form.get("emoji")
    error = refusal(emoji, current_user.id)
    if error:
        return refused(error)
    kind.toggle(target, current_user.id, emoji)
    return fragment_or_redirect(kind.back(target), lambda: kind.fragment(target))
