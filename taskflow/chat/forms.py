"""The form of a new chat room."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from taskflow.converters import bounded_int
from taskflow.models import User
from taskflow.names import name_field, strip


class RoomForm(FlaskForm):
    name = name_field("Name", 80)
    description = TextAreaField("Description", filters=[strip], validators=[Length(max=500)])
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
