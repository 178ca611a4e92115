"""A task's due moment, its reminder's moment and its state (due soon, today, overdue) in a
reader's zone (issue 23). Pure rules, used by the task service, the notification jobs, the
card and "My tasks".

A task is due on `due_date`; with a time, `due_at` is that moment in UTC (the setter's zone
turned it into UTC once, when it was saved). A date alone is due at the end of that day in
the assignee's zone; its reminder is at 09:00 there on the day (a working morning: a
reminder at midnight would come while the person sleeps), `remind_before` minutes earlier.
A task in its board's last column ("Done") is finished: it is neither reminded nor overdue.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from taskflow.timezones import DEFAULT, clean_zone, when

# The reminder choices: minutes before the due moment (None: no reminder).
REMINDERS = (
    (0, "At the due time"),
    (15, "15 minutes before"),
    (60, "1 hour before"),
    (1440, "1 day before"),
)
REMINDER_MINUTES = frozenset(m for m, _ in REMINDERS)
MORNING = time(9, 0)  # a date alone is reminded of at 09:00 in the assignee's zone
SOON = timedelta(hours=24)
OVERDUE, TODAY, SOON_STATE, LATER = "overdue", "today", "soon", ""
LABELS = {OVERDUE: "Overdue", TODAY: "Due today", SOON_STATE: "Due soon", LATER: "Due"}


def _zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(clean_zone(name) or DEFAULT)


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def due_at(day: date | None, at: time | None, zone: str | None) -> datetime | None:
    """The due moment in UTC of `day` at `at` in `zone` (the setter's), None without a time."""
    if day is None or at is None:
        return None
    return naive_utc(datetime.combine(day, at, tzinfo=_zone(zone)))


def local_time_of(task, zone: str | None) -> time | None:
    """The due time as the form shows it to its reader (their zone)."""
    if task.due_at is None:
        return None
    return task.due_at.replace(tzinfo=UTC).astimezone(_zone(zone)).time()


def due_moment(task, assignee_zone: str | None) -> datetime | None:
    """When the task is overdue (naive UTC): its due_at, or the end of its day."""
    if task.due_at is not None:
        return task.due_at
    if task.due_date is None:
        return None
    return naive_utc(
        datetime.combine(task.due_date + timedelta(days=1), time(0), _zone(assignee_zone))
    )


def reminder_moment(task, assignee_zone: str | None) -> datetime | None:
    """When its reminder is due (naive UTC), None when none is asked for."""
    if task.remind_before is None or task.due_date is None:
        return None
    base = task.due_at or naive_utc(
        datetime.combine(task.due_date, MORNING, tzinfo=_zone(assignee_zone))
    )
    return base - timedelta(minutes=task.remind_before)


def state(task, zone: str, now: datetime | None = None) -> str:
    """The task's due state for a reader in `zone`: OVERDUE, TODAY, SOON_STATE or LATER.
    The same rule as static/js/local_time.js, which applies it in the reader's browser."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    info = _zone(zone)
    today = now.replace(tzinfo=UTC).astimezone(info).date()
    if task.due_at is None:
        day = task.due_date
        if day < today:
            return OVERDUE
        return TODAY if day == today else SOON_STATE if day == today + timedelta(1) else LATER
    if task.due_at < now:
        return OVERDUE
    if task.due_at.replace(tzinfo=UTC).astimezone(info).date() == today:
        return TODAY
    return SOON_STATE if task.due_at - now < SOON else LATER


def label(task, zone: str) -> str:
    return LABELS[state(task, zone)]


def badge(task, zone: str) -> Markup:
    """The due date as the card and the task page show it: its state in words, then its
    `<time>`. A shared fragment is rendered in UTC (zone "UTC"); static/js/local_time.js
    then recomputes the state (`data-due`) and the time in the reader's zone. A full page
    is rendered in its reader's zone already, right without JavaScript."""
    if task.due_date is None:
        return Markup("")
    now = state(task, zone)
    if task.due_at is not None:
        shown = when(task.due_at, zone)
    else:
        day = task.due_date
        year = f" {day.year}" if day.year != datetime.now(UTC).year else ""
        shown = Markup(f'<time datetime="{day.isoformat()}">{day.day} {day:%b}{year}</time>')
    return Markup(
        f'<span class="due" data-due="{now}"><span class="due-state">{escape(LABELS[now])}'
        f"</span> {shown}</span>"
    )
