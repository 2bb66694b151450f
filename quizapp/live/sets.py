"""Saved question sets for warm-ups: preview a draw, keep it under a name, edit, delete."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import ServiceError
from ..forms import ActionForm
from ..services import live
from ..services.study import topic_options
from ..transactions import refused
from .forms import SetForm
from .views import bp, host_required


@bp.get("/live/sets")
@host_required
def sets():
    """Your saved question sets, to start a warm-up from, edit or delete."""
    return render_template("live/sets.html", sets=live.sets_of(current_user),
                           action_form=ActionForm())


def _shown_ids() -> list[int]:
    """The questions the page showed (hidden fields), in order, ticked or not."""
    return [int(x) for x in request.form.getlist("shown") if x.isdigit() and len(x) <= 9]


@bp.route("/live/sets/new", methods=["GET", "POST"], endpoint="set_new")
@bp.route("/live/sets/<int:set_id>", methods=["GET", "POST"])
@host_required
def set_edit(set_id: int | None = None):
    """Preview a draw and save the questions you keep as a set; or edit a saved set."""
    found = live.question_set(current_user, set_id) if set_id is not None else None
    form = SetForm()
    form.topics.choices = [(t, title) for t, title in topic_options(current_user)]
    shown: list[int] = list(found.question_ids) if found else []
    ticked = set(shown)
    if request.method == "GET" and found is not None:
        form.name.data = found.name
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        shown = _shown_ids()
        picked = set(request.form.getlist("questions"))
        ticked = {i for i in shown if str(i) in picked}
        if status == 200 and "preview" in request.form:
            try:
                shown = live.preview_draw(current_user, count=form.count.data or 5,
                                          types=form.types.data or None,
                                          topics=form.topics.data or None)
                ticked = set(shown)
            except ServiceError as exc:
                refused(exc, form, {}, form.count)
                status = exc.status
        elif status == 200:
            ids = [i for i in shown if i in ticked]
            ids += [i for i in form.parsed_add_ids() if i not in ids]
            try:
                if found is None:
                    found = live.save_set(current_user, form.name.data, ids)
                    message = f"Saved the set “{found.name}” ({len(ids)} questions)."
                else:
                    live.update_set(current_user, found.id, name=form.name.data,
                                    question_ids=ids)
                    message = f"Saved your changes to “{found.name}”."
            except ServiceError as exc:
                refused(exc, form, {"question_ids": "add_ids"}, form.name)
                status = exc.status
                shown = shown + [i for i in ids if i not in shown]
                ticked = set(ids)
            else:
                flash(message, "success")
                return redirect(url_for("live.sets"))
    questions = live.describe(current_user, shown)
    return render_template("live/set_edit.html", form=form, found=found, questions=questions,
                           ticked=ticked, action_form=ActionForm()), status


@bp.post("/live/sets/<int:set_id>/delete")
@host_required
def set_delete(set_id: int):
    """Delete one of your question sets."""
    if not ActionForm().validate_on_submit():
        abort(400, "The form expired; reload the page.")
    name = live.question_set(current_user, set_id).name
    live.delete_set(current_user, set_id)
    flash(f"Deleted the set “{name}”.", "info")
    return redirect(url_for("live.sets"))
