"""Instructor pages (under /teach): classes, assignments, gradebook, item analysis, question
review, commentaries. Student pages for classes: join by code or link, assignments, flags."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from wtforms.fields.choices import SelectChoice

from ..domain.question_types import QUESTION_TYPES
from ..errors import ServiceError
from ..forms import ActionForm, submitted
from ..models import FactStatus, QuestionStatus, Role, utcnow
from ..security import external_url, instructor_required, safe_next
from ..services import decks, printing, study, teach
from ..study import sheets
from ..transactions import refused, refused_on_page
from .forms import (
    AssignmentForm,
    CoInstructorForm,
    CommentaryForm,
    CourseForm,
    FactForm,
    FlagForm,
    JoinForm,
    local_to_utc,
    question_edit_form,
)

bp = Blueprint("teach", __name__)


@bp.app_context_processor
def _flag_form_factory():
    """Templates of other blueprints can render ``teach/_flag_form.html`` anywhere."""

    def flag_form(question_id: int, next_url: str | None = None) -> FlagForm:
        form = FlagForm(prefix=f"flag-{question_id}", formdata=None)
        form.next.data = next_url or request.full_path.rstrip("?")
        return form

    return {"flag_form": flag_form}


@bp.app_template_filter("utc")
def _utc(moment: datetime | None) -> str:
    return moment.strftime("%a %d %b %Y, %H:%M UTC") if moment else ""


@bp.app_template_filter("url_breaks")
def _url_breaks(url: str) -> Markup:
    """A URL that wraps after its "/" and "." on a narrow screen, never inside a word."""
    return Markup("<wbr>").join(escape(part) for part in re.split(r"(?<=[/.])", url))


@bp.app_template_filter("pct")
def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100):d}%"


# =========================================================================== classes

@bp.route("/teach/", methods=["GET", "POST"])
@instructor_required
def index():
    """List the instructor's classes and create a new one."""
    form = CourseForm()
    if form.validate_on_submit():
        try:
            course = teach.create_course(current_user, form.name.data)
        except ServiceError as exc:
            refused(exc, form)
        else:
            flash(f"Class “{course.name}” created. Share the join code {course.join_code}.",
                  "success")
            return redirect(url_for("teach.course", course_id=course.id), 303)
    courses = teach.courses_taught(current_user)
    counts = {c.id: (len(teach.student_ids(c)), len(teach.course_assignments(c)))
              for c in courses}
    status = 400 if form.errors or form.form_errors else 200
    return render_template("teach/index.html", form=form, courses=courses,
                           counts=counts), status


def _join_url(course) -> str:
    return external_url("teach.join", code=course.join_code)


@bp.get("/teach/classes/<int:course_id>")
@instructor_required
def course(course_id: int):
    """Show a class: join code, link and QR code, roster, assignments."""
    course = teach.course_for_instructor(current_user, course_id)
    return render_template(
        "teach/class.html", course=course, join_url=_join_url(course),
        members=teach.roster(course), assignments=teach.course_assignments(course),
        co_form=CoInstructorForm(), action=ActionForm(), now=_now(),
        is_owner=course.owner_id == current_user.id,
        documents=study.readable_commentaries(current_user))


@bp.get("/teach/classes/<int:course_id>/join-screen")
@instructor_required
def join_screen(course_id: int):
    """Show the join code and QR code large, for the projector."""
    course = teach.course_for_instructor(current_user, course_id)
    return render_template("teach/join_screen.html", course=course, join_url=_join_url(course))


@bp.get("/teach/classes/<int:course_id>/qr.svg")
@instructor_required
def qr_code(course_id: int):
    """The join link as a QR code (SVG)."""
    course = teach.course_for_instructor(current_user, course_id)
    out = io.BytesIO()
    segno.make(_join_url(course), error="m").save(
        out, kind="svg", scale=8, border=2, omitsize=True, svgclass="qr", lineclass=None,
        title=f"QR code: join {course.name}")
    return Response(out.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=300"})


@bp.post("/teach/classes/<int:course_id>/members/<int:user_id>/remove")
@instructor_required
def remove_member(course_id: int, user_id: int):
    """Remove a student (or co-instructor) from the roster."""
    submitted()
    removed = teach.remove_member(current_user, course_id, user_id)
    flash("Removed from the class." if removed else "That person had already left the class.",
          "success" if removed else "info")
    return redirect(url_for("teach.course", course_id=course_id) + "#roster", 303)


@bp.post("/teach/classes/<int:course_id>/instructors")
@instructor_required
def add_co_instructor(course_id: int):
    """Add a co-instructor (owner only)."""
    course = teach.course_for_instructor(current_user, course_id)
    form = CoInstructorForm()
    if form.validate_on_submit():
        try:
            target, added = teach.add_co_instructor(current_user, course_id,
                                                    form.username.data)
        except ServiceError as exc:
            refused_on_page(exc, form)
        else:
            flash(f"{target.username} now co-teaches this class." if added else
                  f"{target.username} already teaches this class.", "success")
            return redirect(url_for("teach.course", course_id=course_id) + "#roster", 303)
    course = teach.course_for_instructor(current_user, course_id)
    return render_template(
        "teach/class.html", course=course, join_url=_join_url(course),
        members=teach.roster(course), assignments=teach.course_assignments(course),
        co_form=form, action=ActionForm(), now=_now(),
        is_owner=course.owner_id == current_user.id), 400


@bp.get("/teach/classes/<int:course_id>/misconceptions")
@instructor_required
def misconceptions(course_id: int):
    """Show which facts the class misses most."""
    course = teach.course_for_instructor(current_user, course_id)
    rows = teach.class_misconceptions(course)
    return render_template("teach/misconceptions.html", course=course, rows=rows)


# =========================================================================== assignments

def _now() -> datetime:
    return utcnow()


@bp.route("/teach/classes/<int:course_id>/assignments/new", methods=["GET", "POST"])
@instructor_required
def new_assignment(course_id: int):
    """Assign a quiz to the class."""
    course = teach.course_for_instructor(current_user, course_id)
    form = AssignmentForm()
    topics = dict(study.topic_options(course.owner))
    form.topics.choices = [SelectChoice(t, title) for t, title in topics.items()]
    by_topic = teach.question_picker(course)
    form.question_ids.choices = [SelectChoice(qid, prompt) for group in by_topic.values()
                                 for qid, prompt in group]
    if request.method == "GET":
        form.due_at.data = (_now() + timedelta(days=7)).replace(hour=17, minute=0, second=0,
                                                                microsecond=0)
    if form.validate_on_submit():
        due = local_to_utc(form.due_at.data, form.tz_offset.data)
        opens = local_to_utc(form.available_from.data, form.tz_offset.data)
        try:
            assignment = teach.create_assignment(
                current_user, course.id, title=form.title.data, count=form.count.data,
                types=form.types.data, topics=form.topics.data,
                question_ids=form.question_ids.data or None, due_at=due, available_from=opens,
                max_attempts=form.max_attempts.data, grading=form.grading.data,
                show_keys=form.show_keys.data, time_limit_minutes=form.time_limit_minutes.data,
                same_questions=form.same_questions.data == "same")
        except ServiceError as exc:
            refused_on_page(exc, form)
        else:
            flash(f"Assigned “{assignment.title}” to {course.name}.", "success")
            return redirect(url_for("teach.course", course_id=course.id) + "#assignments", 303)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("teach/assignment_form.html", course=course, form=form,
                           topics=topics, by_topic=by_topic, assignment=None), status


def _gradebook_page(template: str, assignment_id: int) -> str:
    """The gradebook and item analysis pages: one assignment's gradebook, two views."""
    assignment = teach.assignment_for_instructor(current_user, assignment_id)
    book = teach.gradebook(assignment)
    return render_template(template, assignment=assignment, book=book, now=_now(),
                           peak=max([c for _, c in book.histogram] + [1]),
                           action=ActionForm())


@bp.get("/teach/assignments/<int:assignment_id>")
@instructor_required
def gradebook(assignment_id: int):
    """Show grades per student."""
    return _gradebook_page("teach/gradebook.html", assignment_id)


@bp.get("/teach/assignments/<int:assignment_id>/items")
@instructor_required
def item_analysis(assignment_id: int):
    """Show difficulty, discrimination and choice counts per question."""
    return _gradebook_page("teach/items.html", assignment_id)


@bp.get("/teach/assignments/<int:assignment_id>/export.<fmt>")
@instructor_required
def export_assignment(assignment_id: int, fmt: str):
    """Download the gradebook (csv) or the questions (gift, xml, json)."""
    assignment = teach.assignment_for_instructor(current_user, assignment_id)
    fmt = {"xml": "moodle_xml", "txt": "gift"}.get(fmt, fmt)
    body, mimetype, filename = teach.export_assignment(assignment, fmt)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/teach/documents/<int:document_id>/export.<fmt>")
@instructor_required
def export_document(document_id: int, fmt: str):
    """Download a commentary's question bank (gift, xml, json)."""
    fmt = {"xml": "moodle_xml", "txt": "gift"}.get(fmt, fmt)
    body, mimetype, filename = teach.commentary_export(current_user, document_id, fmt)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# =========================================================================== review

@bp.get("/teach/questions")
@instructor_required
def review():
    """The question review queue: flagged questions first, with filters."""
    args = request.args
    status = args.get("status", "active")
    status = status if status in ("active", "retired", "all") else "active"
    try:
        page = max(1, int(args.get("page", 1)))
    except ValueError:
        page = 1
    document_id = args.get("document", type=int)
    topic = args.get("topic") or None
    qtype = args.get("type") if args.get("type") in QUESTION_TYPES else None
    flagged = args.get("flagged") == "1"
    search = (args.get("q") or "").strip()[:100] or None
    rows, total = teach.review_queue(current_user, status=status, flagged=flagged,
                                     document_id=document_id, topic=topic, qtype=qtype,
                                     search=search, page=page)
    pages = max(1, -(-total // teach.REVIEW_PAGE))
    return render_template(
        "teach/review.html", rows=rows, total=total, page=page, pages=pages,
        documents=teach.reviewable_commentaries(current_user),
        topics=dict(study.topic_options(current_user)),
        filters={"status": status, "document": document_id, "topic": topic, "type": qtype,
                 "flagged": flagged, "q": search or ""})


@bp.route("/teach/questions/<int:question_id>", methods=["GET", "POST"])
@instructor_required
def question(question_id: int):
    """Show a question with its key and flags; edit its wording as a new version."""
    q = teach.question_for_review(current_user, question_id)
    form = question_edit_form(q)
    if request.method == "POST" and form.validate_on_submit():
        options = {key: getattr(form, name).data for name, key in form.option_names}
        try:
            new = teach.edit_question(current_user, q.id, prompt=form.prompt.data,
                                      options=options, explanation=form.explanation.data)
        except ServiceError as exc:
            refused_on_page(exc, form, {key: name for name, key in form.option_names})
        else:
            if new.id == q.id:
                flash("Nothing changed.", "info")
            else:
                flash(f"Saved as version {new.version}" + (
                    ", your own: your classes and warm-ups use it." if new.owner_id else
                    f"; version {q.version} is retired and keeps its own statistics."),
                    "success")
            return redirect(url_for("teach.question", question_id=new.id), 303)
    status = 400 if form.errors or form.form_errors else 200
    seen, replaced_by = teach.seen_state(current_user, q)
    return render_template("teach/question.html", q=q, form=form,
                           flags=teach.question_flags(current_user, q), action=ActionForm(),
                           replaced_by=replaced_by,
                           shared=teach.shared_seed(q), topic_title=study.topic_title(q.topic),
                           retired=seen is QuestionStatus.RETIRED), status


@bp.post("/teach/questions/<int:question_id>/retire")
@instructor_required
def retire(question_id: int):
    """Retire a question: no quiz asks it again."""
    submitted()
    teach.retire_question(current_user, question_id)
    flash("Retired: no new quiz of yours will ask this question.", "success")
    return redirect(url_for("teach.question", question_id=question_id), 303)


@bp.post("/teach/questions/<int:question_id>/resolve")
@instructor_required
def resolve(question_id: int):
    """Mark the question's flags as dealt with."""
    submitted()
    count = teach.resolve_flags(current_user, question_id)
    flash(f"{count} flag{'s' if count != 1 else ''} marked resolved.", "success")
    return redirect(url_for("teach.question", question_id=question_id), 303)


@bp.post("/questions/<int:question_id>/flag")
@login_required
def flag(question_id: int):
    """Report that a question looks wrong; the comment reaches the instructor."""
    form = FlagForm(prefix=f"flag-{question_id}")
    back = safe_next(form.next.data, url_for("study.dashboard"))
    if not form.validate_on_submit():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        flash(f"The question was not flagged: {message}", "error")
        return redirect(back, 303)
    try:
        _flag, created = teach.flag_question(current_user, question_id, form.comment.data)
    except ServiceError as exc:
        refused(exc)
        if exc.status == 404:
            raise
        flash(f"The question was not flagged: {exc.message}", "error")
        return redirect(back, 303)
    flash("Thanks: your instructor will see your note." if created
          else "You already sent this note.", "success")
    return redirect(back, 303)


# =========================================================================== commentaries

@bp.route("/teach/commentaries", methods=["GET", "POST"])
@instructor_required
def commentaries():
    """Paste or upload a new commentary; list the ones added."""
    form = CommentaryForm()
    if form.validate_on_submit():
        text = form.text.data or ""
        upload = form.upload.data
        if upload and getattr(upload, "filename", ""):
            raw = upload.read(teach.MAX_COMMENTARY_CHARS * 4 + 1)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                form.upload.errors = list(form.upload.errors) + [
                    "The file is not UTF-8 plain text."]
                text = None
        if text is not None:
            try:
                doc = teach.create_commentary(current_user, form.title.data, text)
            except ServiceError as exc:
                refused(exc, form)
            else:
                found = len(doc.facts)
                flash(f"Found {found} candidate fact{'s' if found != 1 else ''}. Approve the "
                      "ones worth asking about.", "success")
                return redirect(url_for("teach.commentary", document_id=doc.id), 303)
    docs = [teach.commentary_summary(d) for d in teach.commentaries_of(current_user)]
    status = 400 if form.errors or form.form_errors else 200
    return render_template("teach/commentaries.html", form=form, docs=docs,
                           limit=teach.MAX_COMMENTARY_CHARS), status


@bp.get("/teach/commentaries/<int:document_id>")
@instructor_required
def commentary(document_id: int):
    """Review a commentary's candidate facts."""
    doc = teach.commentary_for_instructor(current_user, document_id)
    summary = teach.commentary_summary(doc)
    problems = {f.id: teach.fact_problems(doc, f) for f in summary["facts"]
                if f.status is not FactStatus.REJECTED}
    return render_template("teach/commentary.html", doc=doc, summary=summary,
                           problems=problems, action=ActionForm())


@bp.post("/teach/commentaries/<int:document_id>/status")
@instructor_required
def fact_status(document_id: int):
    """Approve or reject the ticked candidates."""
    submitted()
    status = request.form.get("status")
    fact_ids = request.form.getlist("fact_ids")
    if status not in ("approved", "rejected"):
        abort(400, "Choose approve or reject.")
    if not fact_ids:
        flash("Tick at least one fact first.", "warning")
        return redirect(url_for("teach.commentary", document_id=document_id), 303)
    changed, problems = teach.set_fact_status(current_user, document_id, fact_ids, status)
    verb = "Approved" if status == "approved" else "Rejected"
    flash(f"{verb} {len(changed)} fact{'s' if len(changed) != 1 else ''}.", "success")
    if problems:
        flash(f"{len(problems)} could not be approved yet; edit them first (see the notes "
              "under each).", "warning")
    return redirect(url_for("teach.commentary", document_id=document_id), 303)


@bp.route("/teach/facts/<fact_id>", methods=["GET", "POST"])
@instructor_required
def edit_fact(fact_id: str):
    """Edit a candidate fact (and approve it)."""
    fact = teach.fact_for_instructor(current_user, fact_id)
    data = fact.data
    answer = data.get("answer")
    form = FactForm(data={
        "question": data.get("question", ""), "statement": data.get("statement", ""),
        "answer": "\n".join(answer) if isinstance(answer, list) else answer,
        "aliases": "\n".join(data.get("aliases", [])),
        "distractors": "\n".join(data.get("distractors", [])),
        "event": data.get("event", ""), "explanation": data.get("explanation", ""),
        "approve": fact.status is FactStatus.APPROVED})
    problems = teach.fact_problems(fact.commentary, fact)
    if form.validate_on_submit():
        try:
            fact, problems = teach.update_fact(current_user, fact.id, {
                k: getattr(form, k).data for k in teach.FACT_FIELDS})
            if form.approve.data and not problems:
                teach.set_fact_status(current_user, fact.document_id, [fact.id], "approved")
        except ServiceError as exc:
            refused_on_page(exc, form)
        else:
            if problems:
                flash("Saved, but it cannot be approved yet: " + "; ".join(problems), "warning")
                return redirect(url_for("teach.edit_fact", fact_id=fact.id), 303)
            flash("Saved." + (" Approved: its questions are in the bank."
                              if form.approve.data else ""), "success")
            return redirect(url_for("teach.commentary", document_id=fact.document_id)
                            + f"#fact-{fact.id}", 303)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("teach/fact_edit.html", fact=fact, form=form,
                           problems=problems), status


# =========================================================================== students

@bp.route("/classes/join", methods=["GET", "POST"])
@login_required
def join_by_code():
    """Enter a join code."""
    form = JoinForm()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            course = teach.class_to_join(current_user, form.code.data)
        except ServiceError as exc:
            form.code.errors = list(form.code.errors) + [exc.message]
            status = 429 if exc.status == 429 else 400
        else:
            return redirect(url_for("teach.join", code=course.join_code), 303)
    return render_template("teach/join.html", form=form, course=None), status


@bp.route("/classes/join/<code>", methods=["GET", "POST"])
@login_required
def join(code: str):
    """Confirm and join the class behind a join link (log in first)."""
    try:
        course = teach.class_to_join(current_user, code)
    except ServiceError as exc:
        form = JoinForm(data={"code": code[:20]})
        form.code.errors = [exc.message]
        return render_template("teach/join.html", form=form, course=None), exc.status
    form = ActionForm()
    if form.validate_on_submit():
        course, created = teach.join_course(current_user, course.join_code)
        flash(f"You joined {course.name}." if created
              else f"You are already in {course.name}.", "success")
        if current_user.is_instructor and teach.teaches(current_user, course):
            return redirect(url_for("teach.course", course_id=course.id), 303)
        return redirect(url_for("teach.student_assignments"), 303)
    role = None
    if teach.teaches(current_user, course):
        role = Role.INSTRUCTOR
    elif current_user.id in teach.student_ids(course):
        role = Role.STUDENT
    return render_template("teach/join.html", form=form, course=course, role=role)


@bp.get("/assignments")
@login_required
def student_assignments():
    """Your assignments, with due dates and attempts left."""
    return render_template("teach/student_assignments.html",
                           rows=teach.assignments_for_student(current_user),
                           action=ActionForm())


@bp.post("/assignments/<int:assignment_id>/start")
@login_required
def start_assignment(assignment_id: int):
    """Start (or resume) an attempt at an assignment, then answer it."""
    submitted()
    try:
        attempt = teach.start_assignment_attempt(current_user, assignment_id)
    except ServiceError as exc:
        refused(exc)
        if exc.status == 404:
            raise
        flash(exc.message, "warning")
        return redirect(url_for("teach.student_assignments"), 303)
    return redirect(f"/attempts/{attempt.id}", 303)



# ================================================== printed assignments and class decks

@bp.get("/assignments/<int:assignment_id>/print")
@login_required
def print_assignment(assignment_id: int):
    """Print an assignment as its students are asked it; the key for its instructors, and
    for a student once the assignment shows keys."""
    paper = printing.paper_size(request.args.get("paper"))
    student = printing.parse_id(request.args.get("student"), "student")
    sheet = printing.assignment_sheet(current_user, assignment_id, student_id=student)
    if current_user.is_instructor:
        back = url_for("teach.gradebook", assignment_id=assignment_id), "Gradebook"
    else:
        back = url_for("teach.student_assignments"), "My assignments"
    return sheets.render_sheet(sheet, paper, *back)


@bp.get("/teach/classes/<int:course_id>/deck.apkg")
@instructor_required
def class_deck(course_id: int):
    """Download the facts of a class's assignments (or of one commentary) as an Anki deck."""
    document = printing.parse_id(request.args.get("document"), "document")
    return sheets.send_deck(decks.class_deck(current_user, course_id, document))
