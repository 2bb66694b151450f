"""Register, log in, log out."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    json,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import Field

from ..database import begin_write
from ..errors import ServiceError
from ..extensions import db
from ..models import User, utcnow
from ..security import remember_device, safe_next
from ..services import accounts, privacy, throttle
from ..transactions import refused
from .forms import (
    DeleteAccountForm,
    EndSessionsForm,
    LoginForm,
    PasswordChangeForm,
    RegisterForm,
)

bp = Blueprint("auth", __name__)


def _home() -> str:
    """Each role's home: the teaching dashboard for instructors, else the student's."""
    return url_for("teach.index" if current_user.is_instructor else "study.dashboard")


def _start_session(user, remember: bool) -> None:
    # A fresh session at login: nothing set before it (fixation) survives.
    session.clear()
    login_user(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a student account and log in."""
    if current_user.is_authenticated:
        return redirect(_home())
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            taken = accounts.take_sign_up()
        except ServiceError as exc:
            return render_template("auth/register.html", form=form, error=exc.message), 429
        try:
            user = accounts.create_user(form.username.data, form.password.data)
        except ServiceError as exc:
            refused(exc, form)
            throttle.give_back(taken)
        else:
            _start_session(user, remember=False)
            flash(f"Welcome, {user.username}! Start with a short practice quiz.", "success")
            return redirect(safe_next(request.args.get("next"), _home()))
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with username and password."""
    if current_user.is_authenticated:
        return redirect(_home())
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.username.data, form.password.data,
                                         request.remote_addr or "?",
                                         request.cookies.get(accounts.DEVICE_COOKIE))
        except ServiceError as exc:
            error = exc.message
            status = exc.status
        else:
            _start_session(user, remember=form.remember.data)
            response = redirect(safe_next(request.args.get("next"), _home()))
            remember_device(response, user.username)
            return response
        return render_template("auth/login.html", form=form, error=error), status
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    """Log out (a POST with a CSRF token, so no link can log you out)."""
    # Server-side: a copy of this session or remember-me cookie stops working too.
    begin_write(db.session)
    accounts.end_sessions(current_user.id, tokens=False)
    session.clear()
    logout_user()  # after clear(): it leaves the flag that deletes the remember-me cookie
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


def _own_password(field: Field, wrong: str | None = None) -> bool:
    """Whether ``field`` holds the signed-in user's password; if not, why goes on ``field``
    (``wrong``, if given, for a wrong password). Throttled like a login, so a borrowed
    session cannot guess it."""
    try:
        accounts.authenticate(current_user.username, field.data, request.remote_addr or "?",
                              request.cookies.get(accounts.DEVICE_COOKIE))
    except ServiceError as exc:
        field.errors.append(wrong if wrong and exc.status == 401 else exc.message)
        return False
    return True


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Change the password (which ends every other session and API token)."""
    form = PasswordChangeForm()
    if form.validate_on_submit() and _own_password(form.current):
        try:
            hashed = accounts.new_password_hash(current_user.username, form.password.data)
        except ServiceError as exc:
            refused(exc, form)  # the new password's policy, on its field
        else:
            begin_write(db.session)
            accounts.change_password(current_user.id, hashed)
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") \
                in request.cookies
            _start_session(db.session.get(User, current_user.id), remember=remembered)
            flash("Password changed. Every other session and API token has ended.", "success")
            return redirect(url_for("auth.account"))
    status = 400 if form.errors else 200
    return render_template("auth/account.html", form=form, end_form=EndSessionsForm()), status


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session and API token of this account, this one included."""
    if not EndSessionsForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    begin_write(db.session)
    accounts.end_sessions(current_user.id, tokens=True)
    session.clear()
    logout_user()
    flash("You are logged out on every device, and your API tokens have ended.", "info")
    return redirect(url_for("auth.login"))


def _download(body: str, mimetype: str, filename: str) -> Response:
    """A file of the user's own data: an attachment no cache keeps."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _export_name(ext: str) -> str:
    return f"quizapp-{current_user.username}-{utcnow():%Y-%m-%d}.{ext}"


@bp.get("/account/data.json")
@login_required
def export_json():
    """Download everything stored about you as one JSON file."""
    data = privacy.export_data(current_user.id)
    return _download(json.dumps(data, ensure_ascii=False, indent=2), "application/json",
                     _export_name("json"))


@bp.get("/account/answers.csv")
@login_required
def export_csv():
    """Download your answers (quizzes and warm-ups) as a CSV file."""
    data = privacy.export_data(current_user.id)
    return _download(privacy.answers_csv(data), "text/csv", _export_name("csv"))


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Say what deleting the account removes; delete it once the password is given."""
    form = DeleteAccountForm()
    if form.validate_on_submit() and _own_password(form.password,
                                                   wrong="That is not your password."):
        begin_write(db.session)
        privacy.delete_account(current_user.id)
        session.clear()
        logout_user()
        flash("Your account and its data are deleted. Thank you for using quizapp.", "info")
        return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/delete_account.html", form=form,
                           summary=privacy.deletion_summary(current_user.id)), status
