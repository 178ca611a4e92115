"""The exception every area's service raises when a change's rule does not hold (see
docs/architecture.md, "who commits"): the route turns it into the same 4xx page, fragment
or form error the user got before; a caller without HTTP (demo, CLI, chat commands) reads
its reason."""

from taskflow.extensions import db


class Refused(Exception):
    """A change the rules do not allow: `reason` for the user, `status` for HTTP."""

    def __init__(self, reason: str, status: int = 422) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


def refuse(reason: str, status: int = 422) -> Refused:
    """A refusal after something was written (a lock taken): the transaction is undone."""
    db.session.rollback()
    return Refused(reason, status)
