"""The forms of accounts: sign up, log in, change the password."""

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from taskflow.accounts import passwords
from taskflow.models import User
from taskflow.models.user import USERNAME_PATTERN
from taskflow.names import ValidName, normalize_filter


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


class PasswordChangeForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=128)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.password.label.text, self.confirm.label.text = "New password", "Repeat new password"

    def owner_name(self) -> str:
        return current_user.username if current_user.is_authenticated else ""
