"""Instructor pages for questions of their own: write one by hand, edit it (key too), and
import a GIFT or Moodle XML file after a preview. Routes on the ``teach`` blueprint."""

from __future__ import annotations

import base64
import binascii

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..domain.question_import import MAX_IMPORT_BYTES
from ..domain.question_types import QUESTION_TYPES
from ..errors import ServiceError
from ..security import instructor_required
from ..services import study, teach
from ..transactions import refused, refused_on_page
from .forms import QuestionImportForm, author_form_data, question_author_form
from .views import bp


def _topics(form) -> None:
    form.topic.choices = study.topic_options(current_user)


def _render_author(form, question=None):
    status = 400 if form.errors or form.form_errors else 200
    labels = {t.name: t.prompt_label for t in QUESTION_TYPES.values()}
    return render_template("teach/question_author.html", form=form, question=question,
                           sections=form.sections(), prompt_labels=labels), status


@bp.route("/teach/questions/new", methods=["GET", "POST"])
@instructor_required
def new_question():
    """Write a question by hand, in any of the forms; it is yours alone."""
    form = question_author_form()
    _topics(form)
    if request.method == "GET" and request.args.get("topic"):
        form.topic.data = request.args["topic"]
    if form.validate_on_submit():
        try:
            question = teach.create_question(current_user, form.service_data())
        except ServiceError as exc:
            refused(exc, form)
        else:
            flash("Saved. Your classes' assignments and your warm-ups can ask it; nobody "
                  "else sees it.", "success")
            return redirect(url_for("teach.question", question_id=question.id), 303)
    return _render_author(form)


@bp.route("/teach/questions/<int:question_id>/rewrite", methods=["GET", "POST"])
@instructor_required
def rewrite_question(question_id: int):
    """Edit a question you wrote or imported, key included: a new version replaces it."""
    question = teach.authored_question(current_user, question_id)
    form = question_author_form(data=author_form_data(question.payload, question.topic))
    _topics(form)
    form.type.data = question.type
    if form.validate_on_submit():
        try:
            new = teach.revise_question(current_user, question.id, form.service_data())
        except ServiceError as exc:
            refused_on_page(exc, form)
        else:
            flash("Nothing changed." if new.id == question.id else
                  f"Saved as version {new.version}; version {question.version} is retired "
                  "and keeps its own statistics.", "info" if new.id == question.id
                  else "success")
            return redirect(url_for("teach.question", question_id=new.id), 303)
    return _render_author(form, question)


@bp.route("/teach/questions/import", methods=["GET", "POST"])
@instructor_required
def import_questions():
    """Import questions from GIFT or Moodle XML: upload, check the preview, then import."""
    form = QuestionImportForm()
    _topics(form)
    plan = None
    if form.validate_on_submit():
        data = _uploaded(form)
        if data is not None and request.form.get("confirm") == "1":
            try:
                stored, skipped = teach.import_questions(current_user, form.format.data, data,
                                                         form.topic.data)
            except ServiceError as exc:
                refused(exc, form, {"file": "upload"})
            else:
                flash(f"Imported {len(stored)} question{'s' if len(stored) != 1 else ''}"
                      + (f"; {len(skipped)} left out" if skipped else "")
                      + ". They are yours: your classes and warm-ups can ask them.",
                      "success")
                return redirect(url_for("teach.review", topic=form.topic.data), 303)
        elif data is not None:
            try:
                plan = teach.plan_import(current_user, form.format.data, data,
                                         form.topic.data)
            except ServiceError as exc:
                refused(exc, form, {"file": "upload"})
            else:
                form.content.data = base64.b64encode(data).decode("ascii")
    status = 400 if form.errors or form.form_errors else 200
    return render_template("teach/question_import.html", form=form, plan=plan,
                           limit_kb=MAX_IMPORT_BYTES // 1024), status


def _uploaded(form: QuestionImportForm) -> bytes | None:
    """The file's bytes: the upload, or the preview's copy sent back with "Import"."""
    upload = form.upload.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            form.upload.errors = [f"The file is too large: at most {MAX_IMPORT_BYTES // 1024} KB."]
            return None
        return data
    if form.content.data:
        try:
            return base64.b64decode(form.content.data, validate=True)
        except (binascii.Error, ValueError):
            pass
    form.upload.errors = [*form.upload.errors, "Choose a file to import."]
    return None
