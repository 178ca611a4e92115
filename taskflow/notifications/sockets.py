"""The socket of pages with no topic of their own: only the user's personal stream (the
unread badge, new notifications, invitations)."""

from flask_login import current_user

from taskflow.extensions import sock
from taskflow.notifications.service import badge_frame
from taskflow.realtime.sockets import bp, serve_view


@sock.route("/ws/notifications", bp=bp)
def personal(ws) -> None:
    if not current_user.is_authenticated:
        ws.close(4401, "Log in first")
        return
    user_id = current_user.id
    serve_view(ws, [], [], lambda: [badge_frame(user_id)])
