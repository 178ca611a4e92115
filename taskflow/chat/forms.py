"""The forms of chat: a new room, and a new direct message."""

import re

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from taskflow import people as shown
from taskflow.converters import bounded_int
from taskflow.models import User
from taskflow.models.room import OPEN, PRIVATE
from taskflow.names import name_field, strip

VISIBILITY_CHOICES = [
    SelectChoice(OPEN, "Open: every member of the board can find it and join"),
    SelectChoice(PRIVATE, "Private: only the people in it know it exists"),
]


# Between typed usernames: spaces or commas.
SEPARATORS = re.compile(r"[\s,]+")


def typed_usernames(text: str) -> list[str]:
    """The usernames typed in a field, without their "@"."""
    return [n.lstrip("@") for n in SEPARATORS.split(text or "") if n.strip("@")]


class RoomForm(FlaskForm):
    """A new room. Its members are ticked among the board's first people (PEOPLE_SHOWN of
    chat/rooms.py) or typed by username: the route checks that each is on the board (the
    choices listed are not all the board's members)."""

    name = name_field("Name", 80)
    description = TextAreaField("Description", filters=[strip], validators=[Length(max=500)])
    kind = RadioField("Who can find it", choices=VISIBILITY_CHOICES, default=OPEN)
    members = SelectMultipleField(
        "Members",
        coerce=bounded_int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )
    usernames = StringField(
        "Others, by username (separated by spaces or commas)",
        filters=[strip],
        validators=[Length(max=400)],
    )

    def set_members(self, members: list[User], creator: User) -> None:
        self.members.choices = [
            SelectChoice(u.id, shown.name_and_handle(u)) for u in members if u.id != creator.id
        ]


class VisibilityForm(FlaskForm):
    kind = RadioField("Who can find this room", choices=VISIBILITY_CHOICES)


class DirectForm(FlaskForm):
    """People to talk with: ticked among those who share a board with you, or typed by
    username. Choices are not checked here (an id or name outside them gets the one clear
    error of chat/direct.py, which never tells whether such a user exists)."""

    people = SelectMultipleField(
        "People you share a board with",
        coerce=bounded_int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )
    usernames = StringField(
        "Or type their usernames (separated by spaces or commas)",
        filters=[strip],
        validators=[Length(max=400)],
    )

    def set_people(self, people: list[User]) -> None:
        self.people.choices = [SelectChoice(u.id, shown.name_and_handle(u)) for u in people]
