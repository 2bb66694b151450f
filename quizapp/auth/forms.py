"""Account forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from ..services.accounts import MAX_PASSWORD, MIN_PASSWORD


def _new_password(label: str) -> PasswordField:
    # The whole policy (common passwords, the username) is accounts.validate_password's.
    return PasswordField(label,
                         validators=[DataRequired(),
                                     Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
                                            message=f"Use at least {MIN_PASSWORD} characters "
                                            f"(at most {MAX_PASSWORD}).")],
                         render_kw={"autocomplete": "new-password"})


def _repeat_password(label: str) -> PasswordField:
    """The new password again, which must equal the ``password`` field."""
    return PasswordField(label, validators=[DataRequired(),
                                            EqualTo("password", "The passwords differ.")],
                         render_kw={"autocomplete": "new-password"})


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=40)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    # Off by default: a shared or lab computer must not stay logged in (ASVS V7.3).
    remember = BooleanField("Keep me logged in on this device")


class RegisterForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[DataRequired(), Length(min=3, max=40),
                    Regexp(r"^[A-Za-z0-9_.\-]+$",
                           message="Use letters, digits, dots, dashes or underscores.")],
        render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = _new_password("Password")
    confirm = _repeat_password("Repeat password")


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)],
                            render_kw={"autocomplete": "current-password"})
    password = _new_password("New password")
    confirm = _repeat_password("Repeat the new password")


class EndSessionsForm(FlaskForm):
    """Only the CSRF token: "log out everywhere" is a button."""


class DeleteAccountForm(FlaskForm):
    """Deleting the account asks for the password again."""

    password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
