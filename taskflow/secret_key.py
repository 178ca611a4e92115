"""The key that signs sessions and CSRF tokens: whoever knows it can forge a session for any
user, so it is never a value from the source code.

Set SECRET_KEY in production (the same value on every web process). Unset, each machine
creates its own random key once, in the instance folder, readable by its owner only."""

import os
import secrets
from pathlib import Path

MIN_LENGTH = 32
FILE_NAME = "secret_key"
# Keys published in code or docs (ours and the usual placeholders): refused even if long.
KNOWN_KEYS = {
    "dev-only-change-me",
    "change-me",
    "changeme",
    "secret",
    "dev",
    "development",
    "test",
    "test-secret-key",
    "bench",
    "your-secret-key",
    "super-secret-key",
}


class WeakSecretKey(RuntimeError):
    pass


def resolve(configured: str | None, instance: Path) -> str:
    """The configured key, checked; or the instance's own key, created on first use."""
    key = configured or _instance_key(instance)
    check(key)
    return key


def check(key: str) -> None:
    if key.strip().lower() in KNOWN_KEYS:
        raise WeakSecretKey("SECRET_KEY is a published value: set a random one (or unset it).")
    if len(key) < MIN_LENGTH:
        raise WeakSecretKey(
            f"SECRET_KEY must be at least {MIN_LENGTH} characters: "
            'python -c "import secrets; print(secrets.token_hex(32))"'
        )


def _instance_key(instance: Path) -> str:
    path = instance / FILE_NAME
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        # Written whole under a private name, then linked into place: of two processes starting
        # at once, one key wins and nobody ever reads a half-written file.
        temporary = instance / f".{FILE_NAME}.{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))  # 32 random bytes
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()
