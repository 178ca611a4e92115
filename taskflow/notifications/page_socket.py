"""The base of every page's socket: each page of the app shows the unread badge in its
navigation, so each socket sends it last in its catch-up (and follows the user's own stream,
which carries its changes: connection.serve). Each area's sockets build on this one
(chat/listing.py, boards/sockets.py)."""

from taskflow.notifications.service import badge_frame
from taskflow.realtime.sockets import Socket


class PageSocket(Socket):
    """A socket of a page with the navigation: its catch-up ends with the badge."""

    __slots__ = ()

    def catch_up(self) -> tuple[list[bytes], int]:
        frames, covered = super().catch_up()
        return [*frames, badge_frame(self.user_id)], covered
