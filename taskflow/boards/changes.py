"""What every board service shares: the refusal it raises and the rate of board changes.

**Who commits.** A board change (a task, a column, the board, its members and invitations,
a comment) is one call of the area's service (task_service, column_service, board_service,
invitation_service, comment_thread): it checks the rule, writes, declares what the change
broadcasts (boards.live's Change, realtime.after_commit, notifications.push) and commits.
A rule that does not hold raises `Refused` (taskflow/refusals.py), with a reason and an HTTP
status the route turns into the same 4xx page, fragment or form error as before; nothing was
written. Routes, demo.py, the CLI and the room's commands (commands.py) parse, check who
may see what (access.py), call the service and render: they never commit."""

from taskflow import security
from taskflow.refusals import Refused, refuse  # noqa: F401 (the boards services' names)


def may_change(user_id: int) -> bool:
    """Whether the user may change a board now (counts the change: BOARD_EDIT_RATE_LIMIT).
    Routes count it before they read anything (boards.limited); other callers call it."""
    return security.may_change_board(user_id)


def check_rate(user_id: int) -> None:
    """Refused (429) beyond the user's rate of board changes; counts the change."""
    if not may_change(user_id):
        raise Refused(security.BOARD_SLOW_DOWN, 429)
