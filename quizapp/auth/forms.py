"""Account forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from ..services.accounts import MAX_PASSWORD, MIN_PASSWORD


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=40)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class RegisterForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[DataRequired(), Length(min=3, max=40),
                    Regexp(r"^[A-Za-z0-9_.\-]+$",
                           message="Use letters, digits, dots, dashes or underscores.")],
        render_kw={"autocomplete": "username", "autocapitalize": "none"})
    # The whole policy (common passwords, the username) is accounts.validate_password's.
    password = PasswordField("Password",
                             validators=[DataRequired(),
                                         Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
                                                message=f"Use at least {MIN_PASSWORD} characters "
                                                f"(at most {MAX_PASSWORD}).")],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat password",
                            validators=[DataRequired(), EqualTo("password",
                                                                "The passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
