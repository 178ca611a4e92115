"""Forms for everything a user types. Limits here mirror the column sizes."""

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from taskflow import passwords
from taskflow.converters import bounded_int
from taskflow.models import PRIORITIES, User
from taskflow.models.user import USERNAME_PATTERN
from taskflow.names import ValidName, normalize_filter


def _member_id(value) -> int:
    """0 stands for "nobody", so an unassigned task (None) is a valid choice too."""
    return bounded_int(value) if value not in (None, "", "None") else 0


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _name(label: str, max_length: int, **kw) -> StringField:
    """A name people pick (board, room, column): one Unicode spelling (NFKC), nothing hidden."""
    return StringField(
        label,
        filters=[normalize_filter],
        validators=[DataRequired(), Length(max=max_length), ValidName()],
        **kw,
    )


class NewPasswordForm(FlaskForm):
    """A new password, typed twice, refused when guessable (also from its owner's name)."""

    password = PasswordField(
        "Password",
        validators=[
            DataRequired(),
            Length(min=8, max=128, message="Use at least 8 characters (at most 128)."),
        ],
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ")]
    )

    def owner_name(self) -> str:
        return ""

    def validate_password(self, field) -> None:
        weakness = passwords.weakness(field.data or "", [self.owner_name()])
        if weakness:
            raise ValidationError(weakness)


class RegisterForm(NewPasswordForm):
    # NFKC first: a fullwidth "ａｌｉｃｅ" is "alice" (and so taken if alice exists).
    username = StringField(
        "Username",
        filters=[normalize_filter],
        validators=[
            DataRequired(),
            ValidName(),
            Regexp(USERNAME_PATTERN, message="3–30 letters, digits, _ . or -"),
        ],
    )

    def owner_name(self) -> str:
        return self.username.data or ""

    def validate_username(self, field) -> None:
        if User.by_username(field.data):
            raise ValidationError("That username is taken.")


class LoginForm(FlaskForm):
    username = StringField(
        "Username", filters=[normalize_filter], validators=[DataRequired(), Length(max=30)]
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    remember = BooleanField("Remember me")


class BoardForm(FlaskForm):
    name = _name("Name", 100)
    description = TextAreaField("Description", filters=[_strip], validators=[Length(max=2000)])


class MemberForm(FlaskForm):
    username = StringField(
        "Username", filters=[normalize_filter], validators=[DataRequired(), Length(max=30)]
    )


class ColumnForm(FlaskForm):
    name = _name("Column name", 50)


class TaskForm(FlaskForm):
    title = StringField("Title", filters=[_strip], validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", filters=[_strip], validators=[Length(max=10000)])
    assignee_id = SelectField("Assignee", coerce=_member_id, default=0)
    due_date = DateField("Due date", validators=[Optional()])
    priority = SelectField(
        "Priority", choices=[SelectChoice(p, p.capitalize()) for p in PRIORITIES], default="medium"
    )

    def set_members(self, members: list[User]) -> None:
        self.assignee_id.choices = [SelectChoice(0, "Nobody")] + [
            SelectChoice(u.id, u.username) for u in members
        ]
        if self.assignee_id.data is None:  # an unassigned task, loaded from the database
            self.assignee_id.data = 0


class RoomForm(FlaskForm):
    name = _name("Name", 80)
    description = TextAreaField("Description", filters=[_strip], validators=[Length(max=500)])
    members = SelectMultipleField(
        "Members",
        coerce=bounded_int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def set_members(self, members: list[User], creator: User) -> None:
        self.members.choices = [
            SelectChoice(u.id, u.username) for u in members if u.id != creator.id
        ]


class PasswordChangeForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=128)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.password.label.text, self.confirm.label.text = "New password", "Repeat new password"

    def owner_name(self) -> str:
        return current_user.username if current_user.is_authenticated else ""
