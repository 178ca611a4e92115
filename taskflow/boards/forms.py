"""The forms of boards: a board, a member to invite, a column, a task, a label."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional

from taskflow.boards.task_service import TaskFields
from taskflow.converters import bounded_int
from taskflow.due_dates import REMINDERS, due_at
from taskflow.models import PRIORITIES, User
from taskflow.models.column import NAME_MAX as COLUMN_NAME_MAX
from taskflow.models.label import COLOURS, DEFAULT_COLOUR
from taskflow.models.label import NAME_MAX as LABEL_NAME_MAX
from taskflow.models.task import DEFAULT_PRIORITY, TITLE_MAX
from taskflow.names import name_field, normalize_filter, strip


def _reminder(value) -> int | None:
    """Minutes before the due moment, None (""): no reminder; anything else fails the
    choice (validate_choice), never a 500."""
    if value in (None, "", "None"):
        return None
    return bounded_int(value)


def _member_id(value) -> int:
    """0 stands for "nobody", so an unassigned task (None) is a valid choice too."""
    return bounded_int(value) if value not in (None, "", "None") else 0


class BoardForm(FlaskForm):
    name = name_field("Name", 100)
    description = TextAreaField("Description", filters=[strip], validators=[Length(max=2000)])


class MemberForm(FlaskForm):
    username = StringField(
        "Username", filters=[normalize_filter], validators=[DataRequired(), Length(max=30)]
    )


class ColumnForm(FlaskForm):
    name = name_field("Column name", COLUMN_NAME_MAX)


DESCRIPTION_MAX = 10_000


class TaskForm(FlaskForm):
    title = StringField(
        "Title", filters=[strip], validators=[DataRequired(), Length(max=TITLE_MAX)]
    )
    description = TextAreaField(
        "Description", filters=[strip], validators=[Length(max=DESCRIPTION_MAX)]
    )
    # The board's first members are listed (boards/tasks.py); the route checks the choice
    # is a member of the board, and takes anyone else's username.
    assignee_id = SelectField("Assignee", coerce=_member_id, default=0, validate_choice=False)
    assignee_username = StringField(
        "Or the assignee's username", filters=[strip], validators=[Length(max=40)]
    )
    due_date = DateField("Due date", validators=[Optional()])
    # In the reader's zone (the route converts it: due_dates.due_at); without a date, unused.
    due_time = TimeField("Due time (your time zone)", validators=[Optional()])
    remind_before = SelectField(
        "Reminder",
        coerce=_reminder,
        choices=[SelectChoice(None, "No reminder")] + [SelectChoice(m, t) for m, t in REMINDERS],
        default=None,
    )
    priority = SelectField(
        "Priority",
        choices=[SelectChoice(p, p.capitalize()) for p in PRIORITIES],
        default=DEFAULT_PRIORITY,
    )

    def set_members(self, members: list[User]) -> None:
        self.assignee_id.choices = [SelectChoice(0, "Nobody")] + [
            SelectChoice(u.id, u.username) for u in members
        ]
        if self.assignee_id.data is None:  # an unassigned task, loaded from the database
            self.assignee_id.data = 0

    def fields(self, zone: str) -> TaskFields:
        """What the form says, as the task service takes it (the due time read in `zone`)."""
        return TaskFields(
            title=self.title.data,
            description=self.description.data or "",
            assignee_id=self.assignee_id.data or None,
            due_date=self.due_date.data,
            priority=self.priority.data,
            due_at=due_at(self.due_date.data, self.due_time.data, zone),
            remind_before=self.remind_before.data,
        )


class MakeTaskForm(TaskForm):
    """ "Make task" from a message or comment (boards/make_task.py): the task form, with the
    column picked among the user's boards (grouped by board) and the assignee typed."""

    column_id = SelectField("Board and column", coerce=bounded_int, validate_choice=False)
    # The board is picked in the same form, so there is no list of its members to pick from.
    assignee_username = StringField(
        "Assignee's username (optional)", filters=[strip], validators=[Length(max=40)]
    )


class LabelForm(FlaskForm):
    """A board's label: its name (shown everywhere it is) and a colour of the palette."""

    name = name_field("Label name", LABEL_NAME_MAX)
    colour = SelectField(
        "Colour", choices=[SelectChoice(c, c.capitalize()) for c in COLOURS], default=DEFAULT_COLOUR
    )
