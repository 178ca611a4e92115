"""@mentions: who a text mentions among the people who can read it, and how it renders.

Only readers can be mentioned (room members in a room, board members in a task thread);
any other @word stays plain text and notifies no one, whether or not such a user exists."""

import re
from collections.abc import Callable, Iterable

from markupsafe import Markup, escape

from taskflow.markup import MENTION, mentionable_text, resolve_mention
from taskflow.models import ChatRoom, User

# The room composer's options for a command being typed (/mo…, #4…, a column after /move
# 42): boards/composer.py's `options`, set at start-up (boards is above notifications; the
# autocomplete route asks it first). None, or its None for a text, leaves @mentions.
command_options: Callable[[ChatRoom, str, int], str | None] | None = None
TOKEN_AT_CARET = re.compile(r"(?<![\w@])@([A-Za-z0-9_.\-]{0,30})$")


def named_keys(text: str) -> set[str]:
    """The username keys the text's @words could name (markup.resolve_mention's two
    tries), so that only those people are loaded: never a big room's or board's whole
    membership."""
    words = [match.group(1) for match in MENTION.finditer(text)]
    return {key for word in words for key in (word.lower(), word.rstrip(".-").lower())}


def find(text: str, candidates: Iterable[User]) -> list[User]:
    """The candidates that `text` mentions, each once, in order of first mention. Text only:
    "@bob" in code or in a link is not a mention (markup.mentionable_text)."""
    by_key = {u.username_key: u for u in candidates}
    found: dict[int, User] = {}
    for run in mentionable_text(text):
        for match in MENTION.finditer(run):
            user = resolve_mention(match.group(1), by_key)
            if user is not None:
                found.setdefault(user.id, user)
    return list(found.values())


def render(text: str, mentioned: Iterable[User]) -> Markup:
    """The text, escaped, with each stored mention wrapped for highlighting. The markup is
    the same for every viewer; viewer.css marks the viewer's own mentions."""
    by_key = {u.username_key: u for u in mentioned}
    if not by_key:
        return escape(text)
    parts, last = [], 0
    for match in MENTION.finditer(text):
        user = resolve_mention(match.group(1), by_key)
        if user is None:
            continue
        end = match.start() + 1 + len(user.username)
        parts += [
            escape(text[last : match.start()]),
            Markup('<span class="mention" data-user-id="{}">@{}</span>').format(
                user.id, text[match.start() + 1 : end]
            ),
        ]
        last = end
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def query_at_caret(text: str, caret: int) -> str | None:
    """The partial username being typed just before the caret ("@al|" → "al"), if any."""
    match = TOKEN_AT_CARET.search(text[: max(0, caret)])
    return match.group(1) if match else None
