"""The socket of pages with no topic of their own: the user's personal stream (the unread
badge, new notifications, invitations) and the activity of their direct messages (the
navigation's count). The notification center's socket also follows the center's topic: it
alone receives the rows and invitations to add to its lists (service.push)."""

from flask_login import current_user

from taskflow import unread_states as unread
from taskflow.extensions import sock
from taskflow.notifications.service import badge_frame
from taskflow.realtime import topics
from taskflow.realtime.sockets import bp, serve_view


@sock.route("/ws/notifications", bp=bp)
def personal(ws) -> None:
    _serve(ws, center=False)


@sock.route("/ws/notifications/center", bp=bp)
def notification_center(ws) -> None:
    _serve(ws, center=True)


def _serve(ws, center: bool) -> None:
    if not current_user.is_authenticated:
        ws.close(4401, "Log in first")
        return
    user_id = current_user.id
    # The navigation's "Direct messages" counts the latest active ones (unread.directs_unread):
    # it follows their activity, each because of its room, so leaving one
    # (membership.leave_direct) ends its activity on every page of the user.
    directs = unread.counted_directs(user_id)

    def first_frames() -> list[bytes]:
        return [*unread.state_frames(user_id, directs), badge_frame(user_id)]

    because = unread.activity_follows(directs)
    follows = [topics.notification_center(user_id)] if center else []
    serve_view(ws, follows, [], first_frames, because=because)
