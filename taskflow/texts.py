"""Checks of text people send (chat messages, comments, their edits), below the areas that
use them."""

from taskflow import security
from taskflow.models.message import MAX_CONTENT


def clean_content(content: object) -> tuple[str, str | None]:
    """The text to save and an error message, if it cannot be saved."""
    if not isinstance(content, str):
        return "", "A message must be text."
    text = content.strip()
    if not text:
        return text, "Type a message first."
    if len(text) > MAX_CONTENT:
        return text, f"A message can be at most {MAX_CONTENT:,} characters ({len(text):,} now)."
    if "\x00" in text:  # PostgreSQL text cannot hold it; no keyboard types it
        return text.replace("\x00", ""), "A message cannot contain a NUL character."
    return text, None


def text_to_send(content: object, user_id: int) -> tuple[str, str | None]:
    """clean_content, then the sender's rate limit: a new comment or an edit of a message or
    comment goes to everyone who sees it, as a message does."""
    text, error = clean_content(content)
    if not error and not security.may_send_message(user_id):
        error = security.SLOW_DOWN
    return text, error
