"""The forms of accounts: sign up, log in, change the password, the profile."""

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from taskflow import people, timezones
from taskflow.accounts import passwords
from taskflow.models import User
from taskflow.models.user import THEMES, USERNAME_PATTERN
from taskflow.names import ValidName, confusable_key, normalize_filter


def zone_field() -> HiddenField:
    """The browser's time zone, if a client sends it. The login and register pages load no
    script (issue 21), so a browser's zone now comes from the first signed-in page instead
    (people.js posts it to profile.time_zone); the field stays for clients that send it.
    Checked by the route (timezones.clean_zone): a bad one is ignored, never blocks a login."""
    return HiddenField(render_kw={"data-browser-zone": ""})


# What each field is, for password managers and phone keyboards (and Chromium, which asks
# for it in the console): a password to fill in, one to create, and a username to neither
# capitalize nor correct.
CURRENT_PASSWORD = {"autocomplete": "current-password"}
NEW_PASSWORD = {"autocomplete": "new-password"}
USERNAME = {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
# A name whose confusable key (names.confusable_key) is another user's: nobody passes for
# someone else, with a lookalike ("аlice" in Cyrillic) any more than with the same name.
LOOKALIKE = "That name looks like another user's name. Pick one that others can tell apart."


class NewPasswordForm(FlaskForm):
    """A new password, typed twice, refused when guessable (also from its owner's name)."""

    password = PasswordField(
        "Password",
        validators=[
            DataRequired(),
            Length(min=8, max=128, message="Use at least 8 characters (at most 128)."),
        ],
        render_kw=NEW_PASSWORD,
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[DataRequired(), EqualTo("password", "Passwords differ")],
        render_kw=NEW_PASSWORD,
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
        render_kw=USERNAME,
    )
    time_zone = zone_field()

    def owner_name(self) -> str:
        return self.username.data or ""

    def validate_username(self, field) -> None:
        if User.by_username(field.data):
            raise ValidationError("That username is taken.")
        if User.looks_taken(field.data):
            raise ValidationError(LOOKALIKE)


class LoginForm(FlaskForm):
    username = StringField(
        "Username",
        filters=[normalize_filter],
        validators=[DataRequired(), Length(max=30)],
        render_kw=USERNAME,
    )
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=128)], render_kw=CURRENT_PASSWORD
    )
    remember = BooleanField("Remember me")
    time_zone = zone_field()


class HiddenUsernameInput(HiddenInput):
    """A text input with the `hidden` attribute: password managers (and Chromium, which warns
    in the console without one) read a password form's username from a text field, never a
    type="hidden" one. A HiddenInput still, so `form.hidden_tag()` renders it."""

    input_type = "text"


class PasswordChangeForm(NewPasswordForm):
    # Whose password this is, for password managers; sent back and ignored.
    username = StringField(
        widget=HiddenUsernameInput(), render_kw={"hidden": True, **USERNAME, "readonly": True}
    )
    current = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=128)],
        render_kw=CURRENT_PASSWORD,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.password.label.text, self.confirm.label.text = "New password", "Repeat new password"
        self.username.data = self.owner_name()

    def owner_name(self) -> str:
        return current_user.username if current_user.is_authenticated else ""


class ProfileForm(FlaskForm):
    """Your profile: the name others see, the zone times are shown in, the avatar's colour,
    and the theme (light, dark or the device's)."""

    display_name = StringField(
        "Display name",
        filters=[normalize_filter],
        validators=[Optional(), Length(max=people.MAX_DISPLAY_NAME), ValidName()],
        description=(
            "Shown with your @username beside it; @mentions still use your username. It cannot"
            " look like another person's name or username."
        ),
    )
    # A <select> of the zones timezones.offered_zone accepts, grouped by region, the user's
    # own first (profile.html renders it: WTForms cannot put an option before its groups).
    time_zone = StringField(
        "Time zone",
        validators=[DataRequired(), Length(max=timezones.MAX_ZONE)],
        description="Your browser's zone, unless you chose another.",
    )
    avatar_color = RadioField(
        "Avatar colour", choices=[SelectChoice(v, label) for v, label in people.PALETTE.items()]
    )
    # Left out of a post, it keeps the user's theme (the form is made with it as data); a
    # value that is not a choice is a form error (422).
    theme = RadioField("Theme", choices=[SelectChoice(v, label) for v, label in THEMES.items()])

    def validate_display_name(self, field) -> None:
        """Refused when it looks like another user's username or display name. One's own
        username is fine, and so is the name one already has (saving the theme never fails
        on a name that was accepted before)."""
        name = people.clean_display_name(field.data)
        if not name or not current_user.is_authenticated:
            return
        user = current_user._get_current_object()
        if confusable_key(name) == user.display_skeleton:
            return
        if User.looks_taken(name, me=user.id):
            raise ValidationError(LOOKALIKE)

    def validate_time_zone(self, field) -> None:
        """Exactly the zones the select offers (the user's own among them)."""
        current = current_user.time_zone if current_user.is_authenticated else None
        if timezones.offered_zone(field.data, current) is None:
            raise ValidationError("Pick a time zone from the list, e.g. Europe/Paris.")
