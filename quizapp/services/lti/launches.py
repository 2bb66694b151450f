"""Launches (accounts, classes and resource links made from an id_token) and deep links."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from sqlalchemy import func, select

from ...database import begin_write
from ...errors import ServiceError, not_found
from ...extensions import db
from ...models import (
    Assignment,
    Course,
    Enrollment,
    LtiContext,
    LtiDeployment,
    LtiPlatform,
    LtiResourceLink,
    LtiUser,
    Role,
    User,
    utcnow,
)
from .. import teach
from ..identity import user_changed
from .tool import (
    AGS_CLAIM,
    CLAIM,
    INSTRUCTOR_ROLES,
    LAUNCH_SECONDS,
    LINEITEM_SCOPE,
    NRPS_CLAIM,
    NRPS_SCOPE,
    SCORE_SCOPE,
    _deployment,
    _platform,
    refused,
    state_get,
    state_put,
)

# =========================================================================== launches

def is_instructor(roles: Any) -> bool:
    """Instructor (or TA, designer, admin) by the LIS context roles; everyone else learns."""
    for role in roles if isinstance(roles, list) else []:
        if not isinstance(role, str):
            continue
        name = role.rsplit("#", 1)[-1] if "#" in role else role.rsplit("/", 1)[-1]
        context_role = "membership" in role or "#" not in role
        if name in INSTRUCTOR_ROLES and (context_role or name == "Administrator"):
            return True
    return False


def check_registered_audience(id_token: str) -> None:
    """Before the library's checks: a token from a known issuer naming none of its client
    ids is refused as "wrong audience" (the library would only say "not found")."""
    try:
        body = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return  # the library refuses it with its own message
    issuer, aud = body.get("iss"), body.get("aud")
    audiences = {a for a in (aud if isinstance(aud, list) else [aud]) if isinstance(a, str)}
    known = set(db.session.scalars(select(LtiPlatform.client_id).where(
        LtiPlatform.issuer == str(issuer))))
    if known and not known & audiences:
        raise refused("The launch was meant for another tool (wrong audience).")


def check_audience(body: dict[str, Any], client_id: str) -> None:
    """The id_token must name this tool: ``aud`` holds the client id; with several audiences
    ``azp`` must be this tool (OIDC Core 3.1.3.7). The library matches aud[0] only."""
    aud = body.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if client_id not in audiences or (len(audiences) > 1 and body.get("azp") != client_id):
        raise refused("The launch was meant for another tool (wrong audience).")


_USERNAME_CHARS = re.compile(r"[^a-z0-9_.-]+")


def _username(body: dict[str, Any], platform: LtiPlatform) -> str:
    """A readable username for a new platform user: their name, or the platform's id."""
    raw = body.get("name") or " ".join(filter(None, [body.get("given_name"),
                                                    body.get("family_name")])) or "lms user"
    ascii_name = unicodedata.normalize("NFKD", str(raw)).encode("ascii", "ignore").decode()
    base = _USERNAME_CHARS.sub("-", ascii_name.lower()).strip("-.")[:24] or "lms-user"
    for _ in range(20):
        candidate = f"{base}-{secrets.token_hex(3)}"
        if not db.session.scalar(select(User.id).where(
                func.lower(User.username) == candidate)):
            return candidate
    raise ServiceError(503, "busy", "Could not pick a username; try again.")


def _lti_user(deployment: LtiDeployment, sub: str, body: dict[str, Any],
              instructor: bool) -> LtiUser:
    link = db.session.scalar(select(LtiUser).where(LtiUser.deployment_id == deployment.id,
                                                   LtiUser.sub == sub))
    if link is None:
        # No password: this account signs in only through the platform.
        user = User(username=_username(body, deployment.platform), password_hash="!lti",
                    role=Role.INSTRUCTOR if instructor else Role.STUDENT,
                    session_nonce=secrets.token_hex(8))
        db.session.add(user)
        db.session.flush()
        user_changed(user.id)
        link = LtiUser(deployment_id=deployment.id, sub=sub, user_id=user.id)
        db.session.add(link)
        db.session.flush()
    elif instructor and link.user.role is not Role.INSTRUCTOR:
        link.user.role = Role.INSTRUCTOR  # the platform made them teach; never demoted here
        user_changed(link.user_id)
    return link


def _enrol(course: Course, user: User, role: Role) -> None:
    if course.owner_id == user.id:
        return
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.user_id == user.id))
    if enrollment is None:
        db.session.add(Enrollment(course_id=course.id, user_id=user.id, role=role))
    elif role is Role.INSTRUCTOR:
        enrollment.role = Role.INSTRUCTOR
    db.session.flush()


def _context(deployment: LtiDeployment, body: dict[str, Any], user: User,
             instructor: bool) -> LtiContext:
    claim = body.get(CLAIM + "context") or {}
    context_id = str(claim.get("id") or "")
    if not context_id:
        raise refused("The launch names no course (context); add quizapp inside a course.",
                      400)
    context = db.session.scalar(select(LtiContext).where(
        LtiContext.deployment_id == deployment.id, LtiContext.context_id == context_id))
    if context is None:
        if not instructor:
            raise refused("Your instructor has not set up quizapp in this course yet.", 409)
        title = str(claim.get("title") or claim.get("label") or "LMS course")[:teach.MAX_NAME]
        course = Course(name=title, join_code=teach.new_join_code(), owner_id=user.id)
        db.session.add(course)
        db.session.flush()
        context = LtiContext(deployment_id=deployment.id, context_id=context_id,
                             course_id=course.id)
        db.session.add(context)
    nrps = body.get(NRPS_CLAIM) or {}
    if isinstance(nrps.get("context_memberships_url"), str):
        context.memberships_url = nrps["context_memberships_url"][:500]
    db.session.flush()
    _enrol(context.course, user, Role.INSTRUCTOR if instructor else Role.STUDENT)
    return context


def _resource_link(context: LtiContext, body: dict[str, Any]) -> LtiResourceLink | None:
    link_id = str((body.get(CLAIM + "resource_link") or {}).get("id") or "")
    if not link_id:
        return None
    link = db.session.scalar(select(LtiResourceLink).where(
        LtiResourceLink.context_id == context.id,
        LtiResourceLink.resource_link_id == link_id))
    if link is None:
        custom = body.get(CLAIM + "custom") or {}
        raw = str(custom.get("assignment_id") or "")
        assignment = db.session.get(Assignment, int(raw)) if raw.isdigit() \
            and int(raw) < 2**31 else None
        # Custom parameters can be edited in the LMS: only an assignment of this very class.
        if assignment is None or assignment.course_id != context.course_id:
            return None
        link = LtiResourceLink(context_id=context.id, resource_link_id=link_id,
                               assignment_id=assignment.id)
        db.session.add(link)
    ags = body.get(AGS_CLAIM) or {}
    if isinstance(ags.get("lineitem"), str) and SCORE_SCOPE in (ags.get("scope") or []):
        link.lineitem_url = ags["lineitem"][:500]
    db.session.flush()
    return link


@dataclass
class Launch:
    user: User
    instructor: bool
    course: Course
    #: The assignment a resource link opens (None: the link was not made by deep linking).
    assignment: Assignment | None
    deep_link: bool


def provision(platform_issuer: str, client_id: str, body: dict[str, Any]) -> Launch:
    """Find or make the user, the class and the assignment link a verified launch names."""
    begin_write(db.session)
    platform = _platform(platform_issuer, client_id)
    deployment = _deployment(platform, str(body.get(CLAIM + "deployment_id"))) \
        if platform else None
    if deployment is None:  # the library checked it; a registration removed meanwhile
        raise refused("That deployment is not registered with quizapp.")
    sub = str(body.get("sub") or "")
    if not sub:
        raise refused("The launch names no user (sub); anonymous launches are not supported.",
                      400)
    instructor = is_instructor(body.get(CLAIM + "roles"))
    link = _lti_user(deployment, sub, body, instructor)
    context = _context(deployment, body, link.user, instructor)
    deep = body.get(CLAIM + "message_type") == "LtiDeepLinkingRequest"
    if deep and not instructor:
        raise refused("Only instructors can add quizapp activities.")
    resource = None if deep else _resource_link(context, body)
    return Launch(user=link.user, instructor=instructor, course=context.course,
                  assignment=resource.assignment if resource else None, deep_link=deep)


# =========================================================================== deep linking

def deep_link_assignment(user: User, course: Course, form: dict[str, Any]) -> Assignment:
    """The assignment the instructor picked in the LMS, or a new one made from the form."""
    choice = str(form.get("assignment_id") or "")
    if choice and choice != "new":
        assignment = db.session.get(Assignment, int(choice)) if choice.isdigit() \
            and int(choice) < 2**31 else None
        if assignment is None or assignment.course_id != course.id:
            raise not_found("That assignment")
        return assignment
    days = str(form.get("due_days") or "14")
    due = utcnow() + timedelta(days=int(days) if days.isdigit() and int(days) <= 365 else 14)
    count = str(form.get("count") or "10")
    return teach.create_assignment(
        user, course.id, title=form.get("title"),
        count=int(count) if count.isdigit() and len(count) < 4 else count,
        due_at=due.replace(microsecond=0).isoformat() + "Z",
        max_attempts=1, grading="highest")


def deep_link_resource(assignment: Assignment, launch_url: str) -> DeepLinkResource:
    """An LtiResourceLink item for the assignment, with its grade column (line item)."""
    line_item = (LineItem().set_score_maximum(assignment.count).set_label(assignment.title)
                 .set_resource_id(str(assignment.id)))
    return (DeepLinkResource().set_url(launch_url).set_title(assignment.title)
            .set_custom_params({"assignment_id": str(assignment.id)})
            .set_lineitem(line_item))


def deep_link_instructor(client_id: str, body: dict[str, Any]) -> tuple[User, Course]:
    """The instructor and class of a stored deep-linking launch."""
    platform = _platform(str(body.get("iss")), client_id)
    deployment = _deployment(platform, str(body.get(CLAIM + "deployment_id"))) \
        if platform else None
    link = db.session.scalar(select(LtiUser).where(
        LtiUser.deployment_id == deployment.id, LtiUser.sub == str(body.get("sub")))) \
        if deployment else None
    context_id = str((body.get(CLAIM + "context") or {}).get("id") or "")
    context = db.session.scalar(select(LtiContext).where(
        LtiContext.deployment_id == deployment.id, LtiContext.context_id == context_id)) \
        if deployment else None
    if link is None or context is None or not is_instructor(body.get(CLAIM + "roles")):
        raise refused("Only the instructor who opened this page can add an activity.")
    return link.user, context.course


def deep_link_choice(launch_id: str, user: User, course: Course,
                     form: dict[str, Any]) -> Assignment:
    """``deep_link_assignment``, once per launch: the form sent twice makes one assignment."""
    key = f"deep-link-{launch_id}"
    begin_write(db.session)
    earlier = state_get(key)
    assignment = db.session.get(Assignment, earlier) if isinstance(earlier, int) else None
    if assignment is None:
        assignment = deep_link_assignment(user, course, form)
        state_put(key, assignment.id, LAUNCH_SECONDS)
    return assignment


def tool_configuration(urls: dict[str, str]) -> dict[str, Any]:
    """The tool's configuration as Canvas reads it from a URL ("Enter URL" developer key),
    with the same URLs Moodle's manual registration asks for."""
    return {
        "title": "quizapp",
        "description": "Quizzes generated from the facts of a commentary, graded in the LMS.",
        "oidc_initiation_url": urls["login"],
        "target_link_uri": urls["launch"],
        "public_jwk_url": urls["jwks"],
        "scopes": [SCORE_SCOPE, LINEITEM_SCOPE,
                   "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                   NRPS_SCOPE],
        "extensions": [{
            "platform": "canvas.instructure.com",
            "privacy_level": "name_only",
            "settings": {"placements": [
                {"placement": "assignment_selection", "message_type": "LtiDeepLinkingRequest",
                 "target_link_uri": urls["deep_link"]},
                {"placement": "link_selection", "message_type": "LtiDeepLinkingRequest",
                 "target_link_uri": urls["deep_link"]},
            ]},
        }],
        "custom_fields": {},
        # The same, named as in IMS Dynamic Registration and Moodle's "Configure a tool".
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "domain": urlsplit(urls["launch"]).netloc,
            "target_link_uri": urls["launch"],
            "claims": ["iss", "sub", "name", "given_name", "family_name"],
            "messages": [{"type": "LtiDeepLinkingRequest", "target_link_uri": urls["deep_link"]},
                         {"type": "LtiResourceLinkRequest", "target_link_uri": urls["launch"]}],
        },
        "initiate_login_uri": urls["login"],
        "redirect_uris": [urls["launch"]],
        "jwks_uri": urls["jwks"],
        "tool_url": urls["base"],
    }
