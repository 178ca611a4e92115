"""People as others see them: the name shown (display name, else username), a generated
avatar (initials on a colour) and how consecutive messages group under one name. Pure
functions: templates call them through the Jinja globals registered in init_app."""

import hashlib
from datetime import datetime, timedelta

from flask import Flask
from markupsafe import Markup, escape

MAX_DISPLAY_NAME = 50
# Avatar colours: each keeps white initials above WCAG AA contrast (4.5:1 and more; checked
# by tests/test_people.py). Names for the select; values are what is stored.
PALETTE: dict[str, str] = {
    "#b3261e": "Red",
    "#a0430a": "Rust",
    "#7a5900": "Ochre",
    "#2e6b1f": "Green",
    "#00695c": "Teal",
    "#0b57d0": "Blue",
    "#3f51b5": "Indigo",
    "#6a1b9a": "Purple",
    "#ad1457": "Pink",
    "#4e5b66": "Slate",
}
GROUP_WITHIN = timedelta(minutes=5)  # a message this soon after its author's last one groups


def shown_name(user) -> str:
    """A User or a row with display_name and username ("" for a deleted user: callers say so)."""
    if user is None:
        return ""
    return getattr(user, "display_name", None) or user.username


def name_and_handle(user) -> Markup:
    """The name shown with the @username beside a display name, as the member lists write
    it (`_macros.html` handle: "Alice Martin <small class="handle">@alice</small>"), for
    labels where who it is decides trust (pickers): display names may look alike, usernames
    are unique. Escaped: a name is text."""
    if getattr(user, "display_name", None):
        return Markup('{} <small class="handle">@{}</small>').format(
            user.display_name, user.username
        )
    return escape(user.username)


def clean_display_name(value: str | None) -> str | None:
    """Trimmed, inner runs of spaces made one; None when empty (the username is shown)."""
    text = " ".join((value or "").split())
    return text[:MAX_DISPLAY_NAME] or None


def default_color(username: str) -> str:
    """A palette colour derived from the username: stable across processes (not hash())."""
    digest = hashlib.sha256(username.casefold().encode()).digest()
    colours = list(PALETTE)
    return colours[digest[0] % len(colours)]


def avatar_color(user) -> str:
    chosen = getattr(user, "avatar_color", None)
    return chosen if chosen in PALETTE else default_color(user.username)


def colour_class(colour: str) -> str:
    """The CSS class of a palette colour ("c0".."c9", app.css): shorter than the colour."""
    return f"c{list(PALETTE).index(colour)}" if colour in PALETTE else "c0"


def initials(name: str) -> str:
    """One or two letters: the first letters of the first and last words ("Alice Smith" →
    "AS", "alice" → "A")."""
    words = [word for word in name.split() if word[0].isalnum()] or name.split()
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def continues(previous_author_id, previous_at: datetime | None, author_id, at: datetime) -> bool:
    """Whether a message groups under the one before it: same author, soon after."""
    return (
        previous_at is not None
        and author_id is not None
        and previous_author_id == author_id
        and timedelta(0) <= at - previous_at <= GROUP_WITHIN
    )


def luminance(colour: str) -> float:
    """WCAG relative luminance of "#rrggbb"."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(colour: str) -> float:
    return 1.05 / (luminance(colour) + 0.05)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        shown_name=shown_name,
        avatar_color=avatar_color,
        colour_class=colour_class,
        initials=initials,
        palette=PALETTE,
    )
