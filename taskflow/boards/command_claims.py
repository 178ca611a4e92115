"""The claim on a command's client id while it runs (boards/commands.py).

The board's services commit a command's change before chat.service.post_notice saves the row
carrying its client id, so in between a resend (the socket's outbox after a dropped
connection) would pass chat.already_sent and apply the command again: a second task, a label
toggled back. The claim, a Redis SET NX on (author, client id) taken before the change and
given back after the notice, closes that window: a resend that finds it is answered "being
applied", and one after it finds the notice. One transaction for the change and the notice
is not to be had: each service commits its change itself, as the board's forms need it to."""

import uuid

from flask import current_app

from taskflow.tolerant import tolerant

CLAIM_SECONDS = 30  # far beyond a command's time; only a dead holder's claim lasts this long


def _claim_key(author_id: int, client_id: str) -> str:
    return f"taskflow:command-claim:{author_id}:{client_id}"


@tolerant("")  # Redis away: no claim, the command still runs (as typing and presence do)
def _take(redis, author_id: int, client_id: str) -> str | None:
    token = uuid.uuid4().hex
    taken = redis.set(_claim_key(author_id, client_id), token, nx=True, ex=CLAIM_SECONDS)
    return token if taken else None


@tolerant(None)
def _give_back(redis, author_id: int, client_id: str, token: str) -> None:
    key = _claim_key(author_id, client_id)
    if redis.get(key) == token.encode():  # not another's, taken after ours expired
        redis.delete(key)


def take(author_id: int, client_id: str) -> str | None:
    """The claim on (author, client id) while its command runs: a token to give it back
    with ("" when Redis is away), or None when another request holds it. It expires by
    itself (CLAIM_SECONDS) should its holder die before giving it back."""
    return _take(current_app.redis, author_id, client_id)


def give_back(author_id: int, client_id: str, token: str) -> None:
    _give_back(current_app.redis, author_id, client_id, token)
