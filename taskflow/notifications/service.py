"""Notifications: created by RQ jobs after the message or comment is committed, then pushed
to each recipient's personal stream ("user:<id>").

Nothing lost, nothing doubled:
- a dedupe key per event and recipient, unique in the database, makes every job idempotent,
  so RQ may retry it and the sweep may run it again;
- a message or comment with mentions keeps `notified_at` empty until its job has run
  (an outbox marker); when Redis refused the enqueue, or a worker died mid-job, the sweep
  that each worker runs at start and every 30 seconds finds it and does the work."""

import logging
from collections.abc import Callable
from datetime import timedelta

import redis
from flask import current_app
from rq import Retry
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from taskflow import viewing
from taskflow.extensions import db
from taskflow.models import (
    ChatMessage,
    Invitation,
    Notification,
    Task,
    TaskThreadComment,
    User,
    room_reads,
)
from taskflow.models.invitation import PENDING
from taskflow.models.notification import CHAT_MENTION, COMMENT_MENTION, TASK_ASSIGNED
from taskflow.models.room import NONE
from taskflow.models.user import utcnow
from taskflow.notifications import rows
from taskflow.realtime import fragments, topics
from taskflow.realtime.after_commit import broadcast
from taskflow.realtime.broadcaster import text_frame
from taskflow.timezones import LIVE

log = logging.getLogger(__name__)
RETRY = Retry(max=5, interval=[1, 2, 5, 15, 30])


def enqueue(job: Callable[..., None], *args) -> bool:
    """Queue a job (a function of notifications/jobs.py). False when Redis refuses: the outbox
    marker stays empty and the sweep will do it."""
    try:
        current_app.task_queue.enqueue(job, *args, retry=RETRY)
        return True
    except redis.RedisError as error:
        log.warning("could not enqueue %s%s: %s", job.__name__, args, error)
        return False


# -- the work the jobs do ----------------------------------------------------------------


def for_chat_message(message_id: int) -> None:
    message = _locked(ChatMessage, message_id)
    if message is None:
        return
    author, room = message.author, message.room
    recipients = (
        []
        if message.deleted_at
        else [
            u for u in message.mentioned_users if u.id != message.author_id and room.readable_by(u)
        ]
    )
    # Each recipient's level in the room (chat/unread.py): "none" is never notified; one who
    # has seen the message already (looking at the room in a visible tab, or read past it
    # unless it was edited since: the mention may be new) gets it read, so their badge does
    # not rise for it.
    settings = room_reads.member_settings(room.id, [u.id for u in recipients])
    recipients = [u for u in recipients if settings.get(u.id, (NONE, 0))[0] != NONE]
    seen = viewing.viewers(room.id, [u.id for u in recipients])
    if message.edited_at is None:
        seen |= {u.id for u in recipients if settings[u.id][1] >= message.id}
    where = "a direct message" if room.is_direct else f"#{room.name}"
    text = f"{_name(author)} mentioned you in {where}"
    # A direct message is named by its people, as the reader sees them: no names kept.
    names = ("", "") if room.is_direct else (room.name, room.board.name)
    link = {"chat_message_id": message.id, **_shown(message.content, *names)}
    _mentioned(message, recipients, CHAT_MENTION, link, text, seen)


def for_comment(comment_id: int) -> None:
    comment = _locked(TaskThreadComment, comment_id)
    if comment is None:
        return
    task = comment.task
    recipients = [
        u for u in comment.mentioned_users if u.id != comment.author_id and task.board.is_member(u)
    ]
    text = f"{_name(comment.author)} mentioned you on “{task.title}”"
    link = {"task_thread_comment_id": comment.id, **_shown(comment.content, *_names_of(task))}
    _mentioned(comment, recipients, COMMENT_MENTION, link, text)


def for_assignment(task_id: int, assignee_id: int, sender_id: int, version: int) -> None:
    task, assignee = _locked(Task, task_id), db.session.get(User, assignee_id)
    if task is None or assignee is None or not task.board.is_member(assignee):
        return
    sender = db.session.get(User, sender_id)
    shown = _shown(task.description, *_names_of(task))
    _create(
        None,
        [assignee],
        lambda user: Notification(
            recipient_id=user.id,
            sender_id=sender_id,
            type=TASK_ASSIGNED,
            task_id=task.id,
            dedupe_key=f"assign:{task.id}:{user.id}:{version}",
            text=f"{_name(sender)} assigned you “{task.title}”",
            **shown,
        ),
    )


def _locked(model, row_id: int):
    """The source of notifications (a message, comment or task), read under its row's lock,
    held until the job commits. Its edit takes that lock first too (it writes the row, then
    requotes the notifications: _requote), so an edit either commits before and is what the
    job quotes, or waits and requotes what the job inserted: never an excerpt of text edited
    away. PostgreSQL locks the row; SQLite has one writer, whose lock the first write of a
    transaction takes (reads before it stand alone), so a write that changes nothing."""
    table = model.__table__
    if db.engine.dialect.name == "sqlite":
        # Each column set to itself: the key, and those with an onupdate (tasks.updated_at),
        # which would otherwise change.
        same = {c.key: c for c in table.columns if c.primary_key or c.onupdate is not None}
        db.session.execute(update(table).where(table.c.id == row_id).values(same))
    else:
        db.session.execute(select(table.c.id).where(table.c.id == row_id).with_for_update())
    return db.session.get(model, row_id, populate_existing=True)


def _shown(text: str | None, place: str, board: str) -> dict:
    """The columns that keep what the center shows of a notification as it is when it is
    made: the excerpt, rendered once for all its recipients, and its place's names."""
    return {"excerpt": rows.excerpt_of(text), "place_name": place, "board_name": board}


def _names_of(task: Task) -> tuple[str, str]:
    return task.title, task.board.name


def _mentioned(
    source, recipients: list[User], kind: str, link: dict, text: str, seen: set[int] = frozenset()
) -> None:
    """Notify the people a message or comment mentions, once each (its dedupe key); those in
    `seen` have seen it already: theirs is created read. `link`: the columns naming the
    source and keeping what is shown of it (_shown)."""
    prefix = "chat" if kind == CHAT_MENTION else "comment"
    _create(
        source,
        recipients,
        lambda user: Notification(
            recipient_id=user.id,
            sender_id=source.author_id,
            type=kind,
            dedupe_key=f"{prefix}:{source.id}:{user.id}",
            text=text,
            is_read=user.id in seen,
            **link,
        ),
    )


def _name(user: User | None) -> str:
    return user.shown_name if user else "Someone"


def _create(source, recipients: list[User], build) -> None:
    """Insert the notifications not yet there, mark the source done, then push them."""
    wanted = {n.dedupe_key: n for n in map(build, recipients)}
    existing = (
        set(
            db.session.scalars(
                select(Notification.dedupe_key).where(Notification.dedupe_key.in_(wanted))
            )
        )
        if wanted
        else set()
    )
    new = [n for key, n in wanted.items() if key not in existing]
    db.session.add_all(new)
    if source is not None:
        source.notified_at = utcnow()
    for notification in new:
        push(notification.recipient_id, notification)
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent run inserted one first: let RQ retry, it will skip
        db.session.rollback()
        raise


# What the task events' jobs (task_events.py) insert and read the same way.
locked, shown, create = _locked, _shown, _create


# -- pushing to the personal stream ------------------------------------------------------


def badge_count(user_id: int) -> int:
    """The badge: unread notifications and invitations waiting for an answer (one query:
    every page's navigation shows it)."""
    return db.session.execute(_BADGE, {"user_id": user_id}).scalar_one()


def _badge_query():
    """Notification.unread_count + Invitation.pending_count, as one statement built once."""
    notes, invitations = Notification.__table__, Invitation.__table__
    user_id = bindparam("user_id")
    unread = select(func.count(notes.c.id)).where(notes.c.recipient_id == user_id, ~notes.c.is_read)
    pending = select(func.count(invitations.c.id)).where(
        invitations.c.invitee_id == user_id, invitations.c.status == PENDING
    )
    return select(unread.scalar_subquery() + pending.scalar_subquery())


_BADGE = _badge_query()


def badge_html(user_id: int, oob: bool = False) -> str:
    return fragments.render("notifications/_badge.html", count=badge_count(user_id), oob=oob)


def badge_frame(user_id: int) -> bytes:
    """The badge as every socket of the user receives it first."""
    return text_frame(badge_html(user_id, oob=True))


def push(user_id: int, notification: Notification | None = None, html: str = "") -> None:
    """Once the change commits, send the user's badge to their pages, with a new
    notification or other HTML of the change (an invitation) for an open notification center.

    Every page's socket follows the personal stream, which gets the badge (once per
    transaction: the count at commit); only the center has the lists that rows and
    invitations are swapped into (elsewhere htmx would report htmx:oobErrorNoTarget), so
    they go to the center's own topic, which only its socket follows. Times in UTC, shown in
    the reader's zone by local_time.js."""
    broadcast(topics.user(user_id), lambda: badge_html(user_id, oob=True), key=("badge", user_id))
    if notification is None and not html:
        return

    def center() -> str:
        if notification is None:
            return html
        row = rows.row(notification, notification.recipient)  # in the session: no query
        group = rows.Group(row.place, [row])
        return fragments.render("notifications/_item_oob.html", group=group, zone=LIVE) + html

    broadcast(topics.notification_center(user_id), center)


def mark_read(notification: Notification) -> None:
    """The recipient opened it ("View"): read, and the badge on their other tabs follows."""
    notification.is_read = True
    push(notification.recipient_id)
    db.session.commit()


def dismiss(notification: Notification) -> None:
    user_id = notification.recipient_id
    db.session.delete(notification)
    push(user_id)
    db.session.commit()


def read_all(user_id: int) -> None:
    Notification.mark_all_read(user_id)
    push(user_id)
    db.session.commit()


def read_chat_mentions(user_id: int, room_id: int, upto: int) -> None:
    """The user has seen the room up to message `upto`: their mentions there up to it are
    read (chat/unread.py); their pages get the badge once this commits."""
    notes, messages = Notification.__table__, ChatMessage.__table__
    seen = select(messages.c.id).where(messages.c.room_id == room_id, messages.c.id <= upto)
    read = db.session.execute(
        update(notes)
        .where(notes.c.recipient_id == user_id, ~notes.c.is_read, notes.c.chat_message_id.in_(seen))
        .values(is_read=True)
    ).rowcount
    if read:
        push(user_id)


def message_edited(message_id: int, text: str) -> None:
    """In the edit's transaction: the notifications of an edited message quote it as it is
    now, as the center did when it parsed every excerpt on every load."""
    _requote(Notification.chat_message_id == message_id, text)


def comment_edited(comment_id: int, text: str) -> None:
    _requote(Notification.task_thread_comment_id == comment_id, text)


def description_edited(task_id: int, text: str) -> None:
    """An assignment quotes its task's description."""
    _requote((Notification.task_id == task_id) & (Notification.type == TASK_ASSIGNED), text)


def _requote(which, text: str) -> None:
    """One UPDATE (and one excerpt) however many notifications quote the source; the names
    they keep do not change. The source's row is written first (flushed): its lock before
    the notifications', the order of the jobs (_locked)."""
    db.session.flush()
    db.session.execute(update(Notification).where(which).values(excerpt=rows.excerpt_of(text)))


def remove_unread_for_message(message_id: int) -> None:
    """A deleted message takes its unread notifications with it, and its text out of those
    left (the center says it was deleted)."""
    recipients = list(
        db.session.scalars(
            select(Notification.recipient_id).where(
                Notification.chat_message_id == message_id, ~Notification.is_read
            )
        )
    )
    db.session.execute(
        delete(Notification).where(
            Notification.chat_message_id == message_id, ~Notification.is_read
        )
    )
    db.session.execute(
        update(Notification).where(Notification.chat_message_id == message_id).values(excerpt="")
    )
    for user_id in set(recipients):
        push(user_id)
    db.session.commit()


# -- the sweep ---------------------------------------------------------------------------


def sweep(older_than: timedelta = timedelta(seconds=10)) -> int:
    """Do the work of every job that never ran (Redis refused it, a worker died)."""
    cutoff = utcnow() - older_than
    done = 0
    with current_app.test_request_context():  # for url_for in what it renders
        for model, work in ((ChatMessage, for_chat_message), (TaskThreadComment, for_comment)):
            pending = db.session.scalars(
                select(model.id).where(model.notified_at.is_(None), model.created_at < cutoff)
            ).all()
            for source_id in pending:
                work(source_id)
                done += 1
    return done
