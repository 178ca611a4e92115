"""Names people pick (usernames, boards, rooms, columns): one spelling of each, no hidden
characters, and one rule for when two names are the same.

A name is NFKC-normalized (fullwidth "ＧＥＮＥＲＡＬ" is "GENERAL", "ﬁ" is "fi") and must not
contain what a reader cannot see or that reorders the text: control characters, format
characters (zero-width spaces and joiners, bidi overrides), line and paragraph separators,
private-use and unassigned code points, and the other "default ignorable" code points that
render as nothing. Otherwise `gen\u200beral` would sit next to `general` looking the same.
Two names are the same when their keys are equal: NFKC, then case-folded ("Straße" and
"STRASSE" are one name)."""

import unicodedata

from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

# Control, format, surrogate, private use, unassigned; line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Default-ignorable code points of other categories: they render as nothing either
# (combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian variation
# selectors, variation selectors, tag and ignorable planes).
INVISIBLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2800, 0x2800),  # braille blank
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# An emoji may carry its text/emoji presentation selector ("❤️"): allowed after a symbol.
EMOJI_SELECTORS = frozenset({0xFE0E, 0xFE0F})


def normalize(value: str) -> str:
    """The stored spelling of a name: NFKC, without surrounding white space."""
    return unicodedata.normalize("NFKC", value).strip()


def name_key(value: str) -> str:
    """What uniqueness compares: NFKC, case-folded, NFKC again (case folding can undo the
    normal form, e.g. "ǰ")."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())


def refused_character(value: str) -> str | None:
    """The first character a name may not contain, if any."""
    previous = ""
    for char in value:
        code = ord(char)
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return char
        invisible = any(low <= code <= high for low, high in INVISIBLE_RANGES)
        if invisible and not (code in EMOJI_SELECTORS and _is_symbol(previous)):
            return char
        previous = char
    return None


def _is_symbol(char: str) -> bool:
    return bool(char) and unicodedata.category(char) == "So"


def problem(value: str) -> str | None:
    """Why this (normalized) name cannot be used, or None."""
    char = refused_character(value)
    if char is None:
        return None
    label = unicodedata.name(char, "") or "an invisible or control character"
    return (
        f"Names cannot contain invisible or control characters (U+{ord(char):04X} {label.lower()})."
    )


def clean_name(value: str) -> str:
    """The normalized name; ValueError (with a message for the user) if it cannot be used."""
    text = normalize(value)
    message = problem(text)
    if message:
        raise ValueError(message)
    return text


def normalize_filter(value):
    """WTForms filter: the stored spelling (non-text, e.g. None, passes through)."""
    return normalize(value) if isinstance(value, str) else value


class ValidName:
    """WTForms validator for every name field: refuses hidden and control characters."""

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str):
            message = problem(field.data)
            if message:
                raise ValidationError(message)


def strip(value):
    """A WTForms filter: surrounding whitespace is not part of what was typed."""
    return value.strip() if isinstance(value, str) else value


def name_field(label: str, max_length: int, **kw) -> StringField:
    """A name people pick (board, room, column): one Unicode spelling (NFKC), nothing hidden."""
    return StringField(
        label,
        filters=[normalize_filter],
        validators=[DataRequired(), Length(max=max_length), ValidName()],
        **kw,
    )
