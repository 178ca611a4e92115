"""The base of the sockets of pages that list rooms with their unread counts (the board page,
its list of rooms, a room page, and every page's navigation of direct messages): chat/unread.py
counts them. Not a route module: boards build on it."""

from collections.abc import Iterable

from taskflow.chat import unread
from taskflow.models import room_reads
from taskflow.models.room import FOLLOWED
from taskflow.notifications.page_socket import PageSocket


class ListingSocket(PageSocket):
    """A page that lists rooms: it follows each one's activity because of the room (an end of
    the user's access to one ends its activity, not the socket) and its catch-up has their
    states as they are now, before the badge."""

    __slots__ = ("listed",)

    def __init__(
        self,
        listed: Iterable[int],
        follows: Iterable[str] = (),
        scopes: Iterable[str] = (),
        counted: Iterable[int] | None = None,
    ) -> None:
        """`listed`: the rooms whose states the catch-up sends; `counted`: those whose activity
        it follows (by default the same)."""
        self.listed = tuple(listed)
        counted = self.listed if counted is None else counted
        super().__init__(follows, scopes, unread.activity_follows(counted))

    def catch_up(self) -> tuple[list[bytes], int]:
        frames, covered = super().catch_up()
        return [*unread.state_frames(self.user_id, self.listed), *frames], covered


def board_rooms(board_id: int, user_id: int) -> list[int]:
    """What the board's pages list: the user's rooms of the board (FOLLOWED at most) and the
    direct messages the navigation counts (unread.counted_directs)."""
    rooms = [room.id for room in room_reads.names_of_member(board_id, user_id, FOLLOWED, 0)]
    return rooms + unread.counted_directs(user_id)
