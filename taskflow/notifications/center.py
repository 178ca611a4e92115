"""The notification center (the navigation's "Notifications", with the unread badge in the
link) and the badge's polling fallback."""

from flask import (
    Blueprint,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select

from taskflow.access import own
from taskflow.converters import id_arg
from taskflow.extensions import db
from taskflow.htmx import fragment_or_redirect, go, is_htmx
from taskflow.models import (
    Board,
    ChatMessage,
    Invitation,
    Notification,
    TaskThreadComment,
    room_reads,
)
from taskflow.models.message import PAGE_SIZE
from taskflow.notifications import rows
from taskflow.notifications import service as notifications
from taskflow.timezones import viewer_zone

bp = Blueprint("notifications", __name__)


def unread_badge() -> dict:
    """Every page's navigation shows the unread count (context processor)."""
    if not has_request_context() or not current_user.is_authenticated:
        return {}  # e.g. a worker rendering a notification
    return {"unread_count": notifications.badge_count(current_user.id)}


@bp.get("/notifications")
def index():
    unread_only = request.args.get("unread") == "1"
    before = id_arg("before")
    items = Notification.page(current_user.id, unread_only, before)
    groups = rows.grouped(rows.rows_of(items, current_user))
    context = {
        "notifications": items,
        "groups": groups,
        "last_place": groups[-1].place.key if groups else "",
        "unread_only": unread_only,
        "zone": viewer_zone(),
    }
    if is_htmx() and before is not None:  # "older": only the next page of items
        # Its first rows, of the place the page above ended with (its "Older" link says
        # which), go on in that group rather than head a second one.
        if groups and groups[0].place.key == request.args.get("place"):
            context["continued"], context["groups"] = groups[0], groups[1:]
        return render_template("notifications/_page.html", **context)
    boards = Board.for_user(current_user)
    # The first rooms one is in on each board, in one query (the board's link lists all).
    rooms = room_reads.first_of_boards(current_user.id)
    invitations = Invitation.pending_of_user(current_user.id)
    return render_template(
        "notifications/index.html",
        boards=boards,
        rooms=rooms,
        invitations=invitations,
        # New notifications arrive live at the top of the latest page only (an older page,
        # reached without JavaScript, keeps the page-less socket: the badge).
        center_socket=before is None,
        **context,
    )


@bp.get("/notifications/badge")
def badge():
    """The polling fallback: the badge, for pages whose socket is down."""
    return notifications.badge_html(current_user.id)


@bp.post("/notifications/<int:notification_id>/view")
def view(notification_id: int):
    notification = _own(notification_id)
    notifications.mark_read(notification)
    target = _target(notification)
    if target is None:
        flash("That message is no longer available.", "info")
        target = url_for("notifications.index")
    return go(target)


@bp.post("/notifications/<int:notification_id>/delete")
def dismiss(notification_id: int):
    notifications.dismiss(_own(notification_id))
    return fragment_or_redirect(
        url_for("notifications.index"), lambda: notifications.badge_html(current_user.id, oob=True)
    )


@bp.post("/notifications/read-all")
def read_all():
    notifications.read_all(current_user.id)
    return redirect(url_for("notifications.index"))


def _own(notification_id: int) -> Notification:
    return own(Notification, notification_id, "recipient_id")


def _target(notification: Notification) -> str | None:
    """Where "View" leads: the message or comment, on a page that shows it."""
    if notification.chat_message_id:
        message = notification.chat_message
        if message.deleted_at or not message.room.readable_by(current_user):
            return None
        before = _page_ending_at(ChatMessage, ChatMessage.room_id, message.room_id, message.id)
        return url_for(
            "rooms.show", room_id=message.room_id, before=before, _anchor=f"message-{message.id}"
        )
    if notification.task_thread_comment_id:
        comment = notification.task_thread_comment
        if not comment.task.board.is_member(current_user):
            return None
        before = _page_ending_at(
            TaskThreadComment, TaskThreadComment.task_id, comment.task_id, comment.id
        )
        return url_for(
            "tasks.show", task_id=comment.task_id, before=before, _anchor=f"comment-{comment.id}"
        )
    if notification.task_id and notification.task.board.is_member(current_user):
        return url_for("tasks.show", task_id=notification.task_id)
    return None


def _page_ending_at(model, parent, parent_id: int, item_id: int) -> int | None:
    """The `before` that makes a page show the item, or None if the latest page does."""
    newer = db.session.scalar(
        select(func.count(model.id)).where(parent == parent_id, model.id > item_id)
    )
    return item_id + 1 if newer >= PAGE_SIZE else None
