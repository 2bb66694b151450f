"""The grade outbox (passback to the platform) and roster syncs."""

from __future__ import annotations

from datetime import datetime, timedelta

import requests
from flask import after_this_request, current_app, g, has_request_context
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.names_roles import NamesRolesProvisioningService
from sqlalchemy import func, select, update

from ...database import begin_write
from ...domain.scoring import grade as grade_by
from ...errors import ServiceError
from ...extensions import db
from ...models import (
    Attempt,
    Course,
    Enrollment,
    LtiContext,
    LtiGrade,
    LtiResourceLink,
    LtiUser,
    Role,
    User,
    utcnow,
)
from ...transactions import transaction
from .. import teach
from .launches import (
    _enrol,
    _lti_user,
    is_instructor,
)
from .tool import (
    DRAIN_BATCH,
    HTTP_TIMEOUT,
    LINEITEM_SCOPE,
    SCORE_SCOPE,
    ServiceConnector,
    http_session,
    registration,
)

# =========================================================================== grades

def enqueue_grade(attempt: Attempt) -> int:
    """Queue the learner's grade for every LMS link to the attempt's assignment.

    Called in the transaction that finishes the attempt, so the grade is stored exactly when
    the finish is; ``send_grades`` delivers it later. Returns the rows queued.
    """
    if attempt.assignment_id is None:
        return 0
    links = db.session.execute(
        select(LtiResourceLink.lineitem_url, LtiUser.id)
        .join(LtiContext, LtiContext.id == LtiResourceLink.context_id)
        .join(LtiUser, (LtiUser.deployment_id == LtiContext.deployment_id)
              & (LtiUser.user_id == attempt.user_id))
        .where(LtiResourceLink.assignment_id == attempt.assignment_id,
               LtiResourceLink.lineitem_url.is_not(None))).all()
    if not links:
        return 0
    assignment = attempt.assignment
    done = db.session.scalars(select(Attempt).where(
        Attempt.assignment_id == attempt.assignment_id, Attempt.user_id == attempt.user_id,
        Attempt.finished_at.is_not(None)).order_by(Attempt.started_at, Attempt.id)).all()
    score = grade_by([a.score or 0.0 for a in done], assignment.grading.value) or 0.0
    maximum = max(a.max_score for a in done) if done else attempt.max_score
    queued = 0
    for lineitem_url, lti_user_id in dict.fromkeys(links):
        exists = db.session.scalar(select(LtiGrade.id).where(
            LtiGrade.lineitem_url == lineitem_url, LtiGrade.lti_user_id == lti_user_id,
            LtiGrade.attempt_id == attempt.id))
        if exists is None:
            db.session.add(LtiGrade(lineitem_url=lineitem_url, lti_user_id=lti_user_id,
                                    attempt_id=attempt.id, score=score,
                                    max_score=float(maximum or 1)))
            queued += 1
    db.session.flush()
    return queued


def send_after_response() -> None:
    """Try the queued grades once this request's response is out (the command retries)."""
    if not has_request_context() or g.get("lti_send_queued"):
        return
    g.lti_send_queued = True
    app = current_app._get_current_object()

    @after_this_request
    def _schedule(response):
        def drain() -> None:
            with app.app_context():
                try:
                    send_grades()
                except Exception:  # noqa: BLE001 - never break a finished request
                    app.logger.exception("LTI grade passback failed; the command retries")
                finally:
                    db.session.remove()

        response.call_on_close(drain)
        return response


def _retry_delay(tries: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** min(tries, 7)))


def _claim(grade_id: int, now: datetime) -> bool:
    """Take one grade for sending; another sender (server, command) skips it meanwhile."""
    with transaction():
        begin_write(db.session)
        taken = db.session.execute(
            update(LtiGrade).where(LtiGrade.id == grade_id, LtiGrade.sent_at.is_(None),
                                   LtiGrade.next_try_at <= now)
            .values(next_try_at=now + timedelta(seconds=HTTP_TIMEOUT * 3)))
    return taken.rowcount == 1


def _send(row: LtiGrade, session: requests.Session) -> None:
    deployment = row.lti_user.deployment
    connector = ServiceConnector(registration(deployment.platform), session)
    service = AssignmentsGradesService(connector, {"scope": [SCORE_SCOPE, LINEITEM_SCOPE],
                                                   "lineitem": row.lineitem_url})
    attempt = db.session.get(Attempt, row.attempt_id)
    finished = attempt.finished_at if attempt and attempt.finished_at else row.created_at
    grade = (Grade().set_score_given(row.score).set_score_maximum(row.max_score)
             .set_user_id(row.lti_user.sub).set_activity_progress("Completed")
             .set_grading_progress("FullyGraded")
             # The finish time, not the send time: a late retry never overrides a newer grade.
             .set_timestamp(finished.isoformat(timespec="milliseconds") + "Z"))
    service.put_grade(grade)


def send_grades(limit: int = DRAIN_BATCH, session: requests.Session | None = None
                ) -> tuple[int, int]:
    """Send queued grades that are due; commits per grade. Returns (sent, failed)."""
    now = utcnow()
    db.session.rollback()
    due = db.session.scalars(select(LtiGrade.id).where(
        LtiGrade.sent_at.is_(None), LtiGrade.next_try_at <= now)
        .order_by(LtiGrade.id).limit(limit)).all()
    db.session.rollback()
    session = session or http_session()
    sent = failed = 0
    for grade_id in due:
        if not _claim(grade_id, now):
            continue
        row = db.session.get(LtiGrade, grade_id)
        error = None
        try:
            _send(row, session)
        except (LtiException, requests.RequestException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
        with transaction():
            begin_write(db.session)
            row = db.session.get(LtiGrade, grade_id)
            row.tries += 1
            if error is None:
                row.sent_at, row.last_error = utcnow(), None
                sent += 1
            else:
                row.last_error = error
                row.next_try_at = utcnow() + _retry_delay(row.tries)
                failed += 1
    return sent, failed


def pending_grades() -> int:
    return db.session.scalar(select(func.count(LtiGrade.id)).where(LtiGrade.sent_at.is_(None)))


# =========================================================================== rosters

def course_context(user: User, course_id: int) -> LtiContext:
    """The LMS course behind one of the instructor's classes."""
    course = teach.course_for_instructor(user, course_id)
    context = db.session.scalar(select(LtiContext).where(LtiContext.course_id == course.id,
                                                         LtiContext.memberships_url.is_not(
                                                             None)))
    if context is None:
        raise ServiceError(409, "no_roster", "This class was not made from an LMS course that "
                           "shares its roster (Names and Role Provisioning).")
    return context


def sync_roster(context: LtiContext, session: requests.Session | None = None) -> int:
    """Fetch the LMS course's members and enrol each (new accounts for new people).

    The members are fetched before the write transaction begins. Returns how many
    enrolments were added.
    """
    deployment = context.deployment
    connector = ServiceConnector(registration(deployment.platform), session or http_session())
    service = NamesRolesProvisioningService(connector, {
        "context_memberships_url": context.memberships_url})
    try:
        members = service.get_members()
    except (LtiException, requests.RequestException) as exc:
        raise ServiceError(502, "platform_unavailable", "The LMS did not send the roster; "
                           f"try again later ({type(exc).__name__}).") from exc
    begin_write(db.session)
    context = db.session.get(LtiContext, context.id)
    before = db.session.scalar(select(func.count(Enrollment.id)).where(
        Enrollment.course_id == context.course_id))
    for member in members:
        sub = member.get("user_id")
        if not isinstance(sub, str) or not sub or member.get("status", "Active") != "Active":
            continue
        instructor = is_instructor(member.get("roles"))
        link = _lti_user(context.deployment, sub[:255], dict(member), instructor)
        _enrol(context.course, link.user, Role.INSTRUCTOR if instructor else Role.STUDENT)
    after = db.session.scalar(select(func.count(Enrollment.id)).where(
        Enrollment.course_id == context.course_id))
    return after - before


def linked_courses(user: User) -> list[tuple[LtiContext, Course]]:
    """The instructor's classes that came from an LMS course."""
    courses = {c.id: c for c in teach.courses_taught(user)}
    contexts = db.session.scalars(select(LtiContext).where(
        LtiContext.course_id.in_(list(courses) or [-1]))).all()
    return [(c, courses[c.course_id]) for c in contexts]
