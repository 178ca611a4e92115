"""The names of what sockets follow and depend on, in one place.

A topic is a stream of events ("room:7": its messages); a socket follows its page's topic and
its user's personal stream. A scope is what a socket depends on ("board:3", "session:9"): it
also follows `scope:<scope>`, so that ending a scope (a delete, a logout) reaches exactly the
sockets that depended on it, on every web process."""


def board(board_id: int) -> str:
    return f"board:{board_id}"


def task(task_id: int) -> str:
    return f"task:{task_id}"


def chips(board_id: int) -> str:
    """The board's tasks' chips as they change (taskflow/chips.py): the room and task pages
    of its members follow it."""
    return f"chips:{board_id}"


def room(room_id: int) -> str:
    return f"room:{room_id}"


def room_preview(room_id: int) -> str:
    """What the pages of an open room read by board members who have not joined it depend
    on: the room turning private ends them."""
    return f"room-preview:{room_id}"


def user(user_id: int) -> str:
    """The user's personal stream: the badge, notifications, the end of their access."""
    return f"user:{user_id}"


def notification_center(user_id: int) -> str:
    """What the user's open notification center adds to its lists (rows, invitations)."""
    return f"notification-center:{user_id}"


def my_tasks(user_id: int) -> str:
    """That a task assigned to the user (or no longer) changed: their "My tasks" refetches."""
    return f"my-tasks:{user_id}"


def session(session_id: int | None) -> str:
    return f"session:{session_id}"


def socket(socket_key: str) -> str:
    return f"socket:{socket_key}"


def of_scope(scope: str) -> str:
    return f"scope:{scope}"


def room_activity(room_id: int) -> str:
    """A room's new messages as pages that list the room count them (ids only)."""
    return f"room-activity:{room_id}"
