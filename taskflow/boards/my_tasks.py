""" "My tasks" (issue 23): every task assigned to me on my boards, grouped by when it is due in
my zone (overdue, today, this week, later, no date), a page of PAGE at a time ("More").

Live: a change of a task assigned to someone (or no longer) publishes one small frame to
their own topic (boards/watching.assigned_changed), and the page refetches its list. That is
cheaper per event than following every board the user is on: a board's change reaches
"My tasks" only when it concerns one of the user's tasks, and one frame reaches one user."""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from taskflow import due_dates
from taskflow.chat import unread
from taskflow.chat.listing import ListingSocket
from taskflow.converters import bounded_int
from taskflow.extensions import sock
from taskflow.htmx import is_htmx
from taskflow.models.task import Task, assigned_to
from taskflow.realtime import topics
from taskflow.realtime.broadcaster import text_frame
from taskflow.realtime.fragments import render
from taskflow.realtime.sockets import bp as ws_bp
from taskflow.realtime.sockets import run
from taskflow.timezones import local, today, viewer_zone

bp = Blueprint("my_tasks", __name__)
PAGE = 100
PAGES = 50  # ?page= is bounded: 5,000 tasks deep at most
GROUPS = ("Overdue", "Today", "This week", "Later", "No due date")


@dataclass
class Group:
    name: str
    tasks: list[Task] = field(default_factory=list)


@bp.get("/my-tasks")
@login_required
def index():
    try:
        page = min(max(bounded_int(request.args.get("page", "1")), 1), PAGES)
    except ValueError:
        page = 1
    found = assigned_to(current_user.id, (page - 1) * PAGE, PAGE + 1)
    zone = viewer_zone()
    context = dict(groups=grouped(found[:PAGE], zone), page=page, more=len(found) > PAGE)
    template = "boards/_my_tasks_list.html" if is_htmx() else "boards/my_tasks.html"
    return render_template(template, **context)


def grouped(tasks: list[Task], zone: str) -> list[Group]:
    """The tasks under their headings, in `zone`; groups with no task are left out."""
    groups = {name: Group(name) for name in GROUPS}
    now = today(zone)
    for task in tasks:
        groups[_group_of(task, zone, now)].tasks.append(task)
    for group in groups.values():
        group.tasks.sort(key=lambda t: (_day(t, zone) or now, t.due_at or t.created_at))
    return [g for g in groups.values() if g.tasks]


def _day(task: Task, zone: str):
    return local(task.due_at, zone).date() if task.due_at else task.due_date


def _group_of(task: Task, zone: str, now) -> str:
    if task.due_date is None:
        return "No due date"
    state = due_dates.state(task, zone)
    if state == due_dates.OVERDUE:
        return "Overdue"
    if state == due_dates.TODAY:
        return "Today"
    return "This week" if _day(task, zone) < now + timedelta(days=7) else "Later"


@sock.route("/ws/my-tasks", bp=ws_bp)
def my_tasks_socket(ws) -> None:
    run(ws, MyTasksSocket)


class MyTasksSocket(ListingSocket):
    """ "My tasks": its user's topic (a change of their tasks: refetch), and the navigation's
    direct messages and badge, as every page's."""

    __slots__ = ()
    refused = (4401, "Log in first")

    @classmethod
    def open(cls) -> "MyTasksSocket | None":
        if not current_user.is_authenticated:
            return None
        return cls(unread.counted_directs(current_user.id), [topics.my_tasks(current_user.id)])

    def catch_up(self) -> tuple[list[bytes], int]:
        """A (re)connecting page may have missed changes while it loaded or was away: it
        refetches its list once."""
        frames, covered = super().catch_up()
        stale = text_frame(render("boards/_my_tasks_stale.html"))
        return [stale, *frames], covered
