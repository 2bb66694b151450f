"""Register, log in, log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..database import begin_write
from ..errors import ServiceError
from ..extensions import db
from ..services import accounts
from .forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative redirects after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc and "\\" not in target:
        return target
    return _home()


def _home() -> str:
    """Each role's home: the teaching dashboard for instructors, else the student's."""
    return url_for("teach.index" if current_user.is_instructor else "study.dashboard")


def _start_session(user) -> None:
    # A fresh session at login: nothing set before it (fixation) survives.
    session.clear()
    login_user(user, remember=True)


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a student account and log in."""
    if current_user.is_authenticated:
        return redirect(_home())
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            begin_write(db.session)
            user = accounts.create_user(form.username.data, form.password.data)
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            for name, message in (exc.fields or {}).items():
                getattr(form, name).errors.append(message)
        else:
            _start_session(user)
            flash(f"Welcome, {user.username}! Start with a short practice quiz.", "success")
            return redirect(_safe_next(request.args.get("next")))
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
                                         request.remote_addr or "?")
        except ServiceError as exc:
            error = exc.message
            status = exc.status
        else:
            _start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        return render_template("auth/login.html", form=form, error=error), status
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    """Log out (a POST with a CSRF token, so no link can log you out)."""
    session.clear()
    logout_user()  # after clear(): it leaves the flag that deletes the remember-me cookie
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
