"""Password policy and verification.

Strength: zxcvbn estimates how many guesses a password would take, knowing the common
passwords, words, names, keyboard patterns and the username itself; below "safely
unguessable" (score 3) the password is refused, with zxcvbn's own advice.

Verification: an unknown username costs as much as a wrong password (a hash is checked
against a dummy hash of the same method), so the answer's timing does not tell which
usernames exist."""

from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_SCORE = 3  # zxcvbn: 0 too guessable … 4 very unguessable
# zxcvbn's matching is quadratic in the length; what follows 72 characters only adds strength.
CHECKED_LENGTH = 72


def weakness(password: str, user_inputs: list[str]) -> str | None:
    """Why the password is too easy to guess, or None if it is strong enough."""
    result = zxcvbn(password[:CHECKED_LENGTH], user_inputs=[u for u in user_inputs if u])
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    advice = " ".join(filter(None, [feedback.get("warning"), *feedback.get("suggestions", [])]))
    return " ".join(filter(None, ["This password is too easy to guess.", advice]))


@cache
def _dummy_hash() -> str:
    """A hash of a random password, made with the method (and cost) real hashes use."""
    import secrets

    return generate_password_hash(secrets.token_urlsafe(16))


def verify(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash (no such user), as slow and always False."""
    if password_hash is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)
