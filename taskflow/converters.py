"""Ids from URLs, query strings and forms: whole numbers the database can hold.

Our id and position columns are `integer`: 32 bits in PostgreSQL (a larger number is an
error there) and 64 in SQLite (beyond which its driver raises OverflowError), so either way
a huge id answered 500. Every id is checked here first, against the smaller of the two: in a
path it does not match the route (404), elsewhere it is a bad request (400)."""

from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: 1 to MAX_ID, else the route does not match (404)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def bounded_int(value: object) -> int:
    """A whole number 0..MAX_ID written in ASCII digits (no sign, no "1_000", no "١٢");
    ValueError otherwise. Usable as `type=` in `request.args.get`."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        raise ValueError(f"not an id: {str(value)[:30]!r}")
    if number > MAX_ID:
        raise ValueError("id out of range")
    return number


def id_arg(name: str, default: int | None = None, source=None) -> int | None:
    """An optional id from the query string (or `source`, e.g. request.form): `default`
    when absent or empty; a bad request (400) when it is not a valid id."""
    value = (request.args if source is None else source).get(name)
    if value in (None, ""):
        return default
    try:
        return bounded_int(value)
    except ValueError:
        abort(400)


def on_page(page: int, rows: list) -> list:
    """The rows of page `page` of a paged list, or 404 past its last page (a link kept from
    when there were more, or a number typed): the list's empty state, with no way back to
    what is there, is for a list that is empty, on its first page."""
    if page > 1 and not rows:
        abort(404)
    return rows
