"""Ids from URLs, query strings and forms: whole numbers the database can hold.

A 64-bit integer column (and SQLite's driver) cannot take a number above 2^63 - 1: such an
id reached a query and answered 500 (OverflowError). Every id is checked here first: in a
path it does not match the route (404), elsewhere it is a bad request (400)."""

from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: 1 to 2^63 - 1, else the route does not match (404)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def bounded_int(value: object) -> int:
    """A whole number 0..2^63 - 1 written in ASCII digits (no sign, no "1_000", no "١٢");
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
