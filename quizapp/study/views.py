"""Student pages: dashboard, practice and review quizzes, results, progress, the source."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..services import study

bp = Blueprint("study", __name__)


@bp.get("/")
def index():
    """Send visitors to their dashboard, or to log in."""
    if current_user.is_authenticated:
        return redirect(url_for("study.dashboard"))
    return render_template("study/welcome.html")


@bp.get("/dashboard")
@login_required
def dashboard():
    """Show the learner's progress and what to do next."""
    summary = study.progress_summary(current_user)
    return render_template("study/dashboard.html", summary=summary)
