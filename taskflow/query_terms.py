"""The terms of a typed query, for the board filter (boards/filter.py) and the search box
(search/query.py): `key:"a quoted value"` or `"a phrase"` (what comes before the quotes and
what is inside), or a plain word. Both bound the text and the number of terms the same way
and say so in the words of their page."""

import re
from dataclasses import dataclass

_TERM = re.compile(r'([^\s"]*)"([^"]*)"|([^\s"]+)')


@dataclass(frozen=True)
class Bounds:
    """How long a query and how many terms it may be, and how its page names them."""

    chars: int
    terms: int
    noun: str  # "A filter", "A search"
    counted: str  # what its terms are called: "terms", "words and filters"
    quoted_example: str  # a key with a quoted value: 'label:"needs review"'


def split(text: str, bounds: Bounds, error: type[ValueError]) -> list[tuple[str, str, str]]:
    """`text` (stripped) as (before the quotes, inside them, a plain word) per term. Raises
    `error` with what to write instead when it is too long, has too many terms or leaves a
    quote open."""
    if len(text) > bounds.chars:
        raise error(f"{bounds.noun} is at most {bounds.chars} characters.")
    if text.count('"') % 2:
        raise error(f"A quote is not closed: write {bounds.quoted_example}.")
    terms = _TERM.findall(text)
    if len(terms) > bounds.terms:
        raise error(f"{bounds.noun} has at most {bounds.terms} {bounds.counted}.")
    return terms
