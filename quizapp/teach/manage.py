"""Instructor pages for changing what was set up: edit, close and delete an assignment;
class settings (rename, new join code, archive, delete); one student's attempts, extension
and grade override. Routes on the ``teach`` blueprint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, NamedTuple

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..errors import ServiceError
from ..forms import ActionForm
from ..models import Course, User, utcnow
from ..security import instructor_required
from ..services import study, teach
from ..transactions import refused, refused_on_page
from .forms import AssignmentForm, CourseForm, ExtensionForm, OverrideForm, local_to_utc
from .views import bp


def _show_local(*fields) -> None:
    """Stored UTC values: teach.js shows them in the browser's time zone (without script
    they stay UTC, and the offset sent back is 0)."""
    for field in fields:
        field.render_kw = {**(field.render_kw or {}), "data-utc": ""}


def _checked(form: ActionForm) -> None:
    if not form.validate_on_submit():
        abort(400, "The form expired. Reload the page and try again.")


# =========================================================================== assignments

@bp.route("/teach/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@instructor_required
def edit_assignment(assignment_id: int):
    """Edit an assignment: title, dates, attempts, grading; its questions until someone
    starts."""
    a = teach.assignment_for_instructor(current_user, assignment_id)
    course = a.course
    form = AssignmentForm(data={
        "title": a.title, "count": a.count, "topics": a.topics, "types": a.types,
        "question_ids": a.question_ids, "due_at": a.due_at,
        "available_from": a.available_from, "max_attempts": a.max_attempts,
        "grading": a.grading.value, "show_keys": a.show_keys.value,
        "time_limit_minutes": a.time_limit_minutes,
        "same_questions": "same" if a.same_questions else "each"})
    topics = dict(study.topic_options(course.owner))
    form.topics.choices = [SelectChoice(t, title) for t, title in topics.items()]
    by_topic = teach.question_picker(course)
    form.question_ids.choices = [SelectChoice(qid, prompt) for group in by_topic.values()
                                 for qid, prompt in group]
    started = teach.started_count(a)
    if request.method == "GET":
        _show_local(form.due_at, form.available_from)
    if form.validate_on_submit():
        offset = form.tz_offset.data
        changes = {
            "title": form.title.data, "due_at": local_to_utc(form.due_at.data, offset),
            "available_from": local_to_utc(form.available_from.data, offset),
            "max_attempts": form.max_attempts.data, "grading": form.grading.data,
            "show_keys": form.show_keys.data,
            "time_limit_minutes": form.time_limit_minutes.data}
        if not started:
            changes.update({
                "count": form.count.data, "types": form.types.data,
                "topics": form.topics.data, "question_ids": form.question_ids.data or [],
                "same_questions": form.same_questions.data == "same"})
        try:
            a, changed = teach.update_assignment(current_user, a.id, changes)
        except ServiceError as exc:
            refused_on_page(exc, form)
        else:
            flash(f"Saved “{a.title}”." if changed else "Nothing changed.",
                  "success" if changed else "info")
            return redirect(url_for("teach.gradebook", assignment_id=a.id), 303)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("teach/assignment_form.html", course=course, form=form,
                           topics=topics, by_topic=by_topic, assignment=a,
                           started=started), status


@bp.post("/teach/assignments/<int:assignment_id>/close")
@instructor_required
def close_assignment(assignment_id: int):
    """Close an assignment now (due now for everyone); its grades stay."""
    _checked(ActionForm())
    try:
        a, ended = teach.close_assignment(current_user, assignment_id)
    except ServiceError as exc:
        refused_on_page(exc)
        flash(exc.message, "warning")
    else:
        if ended is None:
            flash("It was already closed.", "info")
        else:
            flash(f"Closed “{a.title}”: no attempt can start now." + (
                f" {ended} extension{'s' if ended != 1 else ''} ended." if ended else ""),
                "success")
    return redirect(url_for("teach.gradebook", assignment_id=assignment_id), 303)


@bp.route("/teach/classes/<int:course_id>/assignments/<int:assignment_id>/delete",
          methods=["GET", "POST"])
@instructor_required
def delete_assignment(course_id: int, assignment_id: int):
    """Ask, then delete an assignment with its attempts and grades."""
    course = teach.course_for_instructor(current_user, course_id)
    back = url_for("teach.course", course_id=course.id) + "#assignments"
    if request.method == "POST" and teach.is_deleted("assignment", assignment_id):
        flash("That assignment is already deleted.", "info")  # a second click
        return redirect(back, 303)
    a = teach.assignment_for_instructor(current_user, assignment_id)
    if a.course_id != course.id:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            a, removed = teach.delete_assignment(current_user, a.id)
        except ServiceError as exc:
            refused(exc)
            flash(exc.message, "warning")
            return redirect(back, 303)
        flash(f"Deleted “{a.title}” and its {removed['attempts']} "
              f"attempt{'s' if removed['attempts'] != 1 else ''}.", "success")
        return redirect(back, 303)
    if request.method == "POST":
        abort(400, "The form expired. Reload the page and try again.")
    return render_template("teach/confirm_delete.html", what="assignment", course=course,
                           assignment=a, counts=teach.assignment_deletion(a), action=form,
                           cancel=url_for("teach.gradebook", assignment_id=a.id))


# =========================================================================== classes

@bp.route("/teach/classes/<int:course_id>/settings", methods=["GET", "POST"])
@instructor_required
def class_settings(course_id: int):
    """Rename a class, give it a new join code, archive or restore it, delete it."""
    course = teach.course_for_instructor(current_user, course_id)
    form = CourseForm(data={"name": course.name})
    if form.validate_on_submit():
        try:
            course = teach.update_course(current_user, course.id, {"name": form.name.data})
        except ServiceError as exc:
            refused_on_page(exc, form)
        else:
            flash(f"Renamed to “{course.name}”.", "success")
            return redirect(url_for("teach.class_settings", course_id=course.id), 303)
    status = 400 if form.errors or form.form_errors else 200
    return _settings_page(course, form), status


def _settings_page(course: Course, form: CourseForm) -> str:
    return render_template("teach/class_settings.html", course=course, form=form,
                           action=ActionForm(), is_owner=course.owner_id == current_user.id)


@bp.post("/teach/classes/<int:course_id>/join-code")
@instructor_required
def renew_join_code(course_id: int):
    """Give the class a new join code; the old one stops working."""
    _checked(ActionForm())
    try:
        course = teach.renew_join_code(current_user, course_id)
    except ServiceError as exc:
        refused_on_page(exc)
        flash(exc.message, "warning")
    else:
        flash(f"New join code: {course.join_code}. The old code no longer works.", "success")
    return redirect(url_for("teach.class_settings", course_id=course_id), 303)


@bp.post("/teach/classes/<int:course_id>/archive")
@instructor_required
def archive_class(course_id: int):
    """Archive a class (hidden from its students, read-only), or restore it."""
    _checked(ActionForm())
    archive = request.form.get("archived") != "0"
    course = teach.update_course(current_user, course_id, {"archived": archive})
    flash(f"Archived “{course.name}”: its students no longer see it." if archive
          else f"Restored “{course.name}”.", "success")
    return redirect(url_for("teach.course", course_id=course_id), 303)


@bp.route("/teach/classes/<int:course_id>/delete", methods=["GET", "POST"])
@instructor_required
def delete_class(course_id: int):
    """Ask, then delete a class with its roster, assignments and attempts."""
    if request.method == "POST" and teach.is_deleted("class", course_id):
        flash("That class is already deleted.", "info")  # a second click
        return redirect(url_for("teach.index"), 303)
    course = teach.owned_course(current_user, course_id)
    form = ActionForm()
    if form.validate_on_submit():
        course, removed = teach.delete_course(current_user, course.id)
        flash(f"Deleted “{course.name}” with its {removed['assignments']} "
              f"assignment{'s' if removed['assignments'] != 1 else ''}.", "success")
        return redirect(url_for("teach.index"), 303)
    if request.method == "POST":
        abort(400, "The form expired. Reload the page and try again.")
    return render_template("teach/confirm_delete.html", what="class", course=course,
                           counts=teach.course_deletion(course), action=form,
                           cancel=url_for("teach.class_settings", course_id=course.id))


# =========================================================================== one student

def _student_page(assignment_id: int, student_id: int, extension_form=None,
                  override_form=None, status: int = 200):
    work = teach.student_work(current_user, assignment_id, student_id)
    if extension_form is None:
        extension_form = ExtensionForm(formdata=None, data={
            "due_at": work.extension.due_at if work.extension
            else work.assignment.due_at + timedelta(days=2)})
        _show_local(extension_form.due_at)
    if override_form is None:
        override_form = OverrideForm(formdata=None, data={
            "grade": work.override.grade if work.override else work.grade.grade,
            "reason": work.override.reason if work.override else ""})
    return render_template("teach/student_work.html", w=work, assignment=work.assignment,
                           extension_form=extension_form, override_form=override_form,
                           action=ActionForm(), now=utcnow()), status


@bp.get("/teach/assignments/<int:assignment_id>/students/<int:student_id>")
@instructor_required
def student_work(assignment_id: int, student_id: int):
    """One student's attempts: each question, their answer, right or not, the key."""
    return _student_page(assignment_id, student_id)


def _back_to_student(assignment_id: int, student_id: int, anchor: str):
    return redirect(url_for("teach.student_work", assignment_id=assignment_id,
                            student_id=student_id) + anchor, 303)


class _StudentSetting(NamedTuple):
    """A setting for one student, on their page: an extension or a grade override."""

    what: str  # its URL part, page section and the page's form argument
    form: type
    save: Callable[[Any, int, int], object]  # (form, assignment id, student id)
    saved: str
    clear: Callable[[User, int, int], bool]  # False: there was none
    cleared: str


def _save_view(setting: _StudentSetting) -> Callable:
    def view(assignment_id: int, student_id: int):
        """Save the setting and go back to its section, or show the page again with the
        form's messages."""
        form = setting.form()
        if form.validate_on_submit():
            try:
                setting.save(form, assignment_id, student_id)
            except ServiceError as exc:
                refused_on_page(exc, form)
            else:
                flash(setting.saved, "success")
                return _back_to_student(assignment_id, student_id, f"#{setting.what}")
        return _student_page(assignment_id, student_id, status=400,
                             **{f"{setting.what}_form": form})

    return view


def _clear_view(setting: _StudentSetting) -> Callable:
    def view(assignment_id: int, student_id: int):
        """Take the setting back."""
        _checked(ActionForm())
        removed = setting.clear(current_user, assignment_id, student_id)
        flash(setting.cleared if removed else f"There was no {setting.what}.",
              "success" if removed else "info")
        return _back_to_student(assignment_id, student_id, f"#{setting.what}")

    return view


# The extension and the override are set and taken back alike: their four pages (POST
# .../<what> and .../<what>/remove, endpoints set_<what> and clear_<what>) from one table.
for _setting in (
        _StudentSetting("extension", ExtensionForm, lambda form, a, s: teach.set_extension(
            current_user, a, s, local_to_utc(form.due_at.data, form.tz_offset.data)),
            "Extension saved.", teach.clear_extension,
            "Extension removed: the class's due date applies."),
        _StudentSetting("override", OverrideForm, lambda form, a, s: teach.set_override(
            current_user, a, s, float(form.grade.data), form.reason.data),
            "Grade override saved.", teach.clear_override,
            "Override removed: the attempts' grade counts.")):
    _rule = f"/teach/assignments/<int:assignment_id>/students/<int:student_id>/{_setting.what}"
    bp.post(_rule, endpoint=f"set_{_setting.what}")(
        instructor_required(_save_view(_setting)))
    bp.post(_rule + "/remove", endpoint=f"clear_{_setting.what}")(
        instructor_required(_clear_view(_setting)))
