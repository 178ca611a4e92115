"""A found text's excerpt with the words it was found by marked: escaped first, then
wrapped, so what people wrote is never markup (only our <mark> is)."""

import re

from markupsafe import Markup, escape

from taskflow import markup

WIDTH = 200  # characters of text shown around the first match
BEFORE = 60  # of which before it


def snippet(text: str, words: list[str]) -> Markup:
    """The text as read (its Markdown without the syntax) around the first of `words`,
    each occurrence of any of them marked. Matching ignores case, as the search does."""
    plain = markup.excerpt(text, 4000)
    pattern = _pattern(words)
    first = pattern.search(plain) if pattern else None
    start = max(0, first.start() - BEFORE) if first else 0
    shown = plain[start : start + WIDTH]
    parts: list[Markup] = [Markup("…")] if start else []
    at = 0
    for found in pattern.finditer(shown) if pattern else ():
        parts.append(escape(shown[at : found.start()]))
        parts.append(Markup("<mark>%s</mark>") % found.group())
        at = found.end()
    parts.append(escape(shown[at:]))
    if start + WIDTH < len(plain):
        parts.append(Markup("…"))
    return Markup("").join(parts)


def _pattern(words: list[str]) -> re.Pattern | None:
    """The words, longest first (so "deploys" wins over "deploy" where both start)."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
