"""Failed logins, counted per account: guessing is bounded, and nobody can lock the owner out.

Failures (not attempts) are counted per (account, address): someone failing in another's
name from one address is stopped there, while the owner, from their own address, still logs
in. A looser cap per account from all addresses bounds a guesser with many addresses. The
account is the username as typed, in whatever body the form came (form or JSON), normalized
the way usernames are compared, so "Alice", "ALICE" and "Ａｌｉｃｅ" are one account."""

from taskflow import security
from taskflow.names import name_key, normalize

BLOCKED = "Slow down: too many failed logins for this account. Wait a minute, then try again."
WRONG_PASSWORDS = (
    "Slow down: too many wrong passwords for this account. Wait a minute, then try again."
)


def account(username: object) -> str:
    """The account a login names (unknown accounts are counted alike: no existence leak)."""
    return name_key(normalize(username))[:30] if isinstance(username, str) else ""


def blocked(username: object) -> bool:
    """Whether this login must wait, whatever its password (checked before the hash)."""
    key, address = account(username), security.client_address()
    return not (
        security.within("LOGIN_FAILURES_PER_ACCOUNT_IP", "login-failures", key, address)
        and security.within("LOGIN_FAILURES_PER_ACCOUNT", "login-failures-account", key)
    )


def failed(username: object) -> None:
    """Count a wrong password (or unknown user) against the account and the address."""
    key, address = account(username), security.client_address()
    security.count("LOGIN_FAILURES_PER_ACCOUNT_IP", "login-failures", key, address)
    security.count("LOGIN_FAILURES_PER_ACCOUNT", "login-failures-account", key)
