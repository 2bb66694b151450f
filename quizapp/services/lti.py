"""LTI 1.3 (LTI Advantage) use cases on top of pylti1p3next: platforms, the tool's keys,
accounts and classes made from launches, deep links, grade passback and rosters.

The protocol (OIDC login, id_token checks against the platform's JWKS, deep-link JWTs,
OAuth2 client-credentials tokens for the services) is the library's; this module keeps its
state in the database, so several app servers share it: registrations, the tool's key pair,
nonces and launches (``LtiState``), and the grade outbox (``LtiGrade``). Like the other
services it adds and flushes; the caller commits once.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import after_this_request, current_app, g, has_request_context
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.contrib.flask import FlaskServiceConnector
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.registration import Registration
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import delete, func, select, update

from ..database import begin_write
from ..domain.scoring import grade as grade_by
from ..errors import ServiceError, invalid, not_found
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    Course,
    Enrollment,
    LtiContext,
    LtiDeployment,
    LtiGrade,
    LtiPlatform,
    LtiResourceLink,
    LtiState,
    LtiToolKey,
    LtiUser,
    Role,
    User,
    utcnow,
)
from ..transactions import transaction
from . import teach
from .identity import user_changed

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
#: LIS role names (context roles, short or full) that make a platform user an instructor.
INSTRUCTOR_ROLES = ("Instructor", "Administrator", "ContentDeveloper", "Mentor",
                    "TeachingAssistant")
#: Seconds a platform may take to answer a service call before the try counts as failed.
HTTP_TIMEOUT = 10.0
#: Seconds an entry ticket (the "open in a new window" link of a launch) stays valid.
TICKET_SECONDS = 300
#: Seconds a stored launch (the deep-link picker's state) stays valid.
LAUNCH_SECONDS = 3600
#: Grade sends per drain; the rest wait for the next one.
DRAIN_BATCH = 100


def refused(message: str, status: int = 403) -> ServiceError:
    return ServiceError(status, "lti_refused", message)


# =========================================================================== platforms

def _url(value: Any, field: str) -> str:
    value = value.strip() if isinstance(value, str) else ""
    # http only on loopback (a platform on the developer's machine, the test stand-in).
    if not re.match(r"^(https://[^\s/]+|http://(127\.0\.0\.1|localhost)(:\d+)?)(/\S*)?$",
                    value) or len(value) > 500:
        raise invalid(f"{field} must be an https:// URL.", {field: "Use an https:// URL."})
    return value


def _text(value: Any, field: str, maximum: int = 255) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if not value or len(value) > maximum:
        raise invalid(f"{field} is required (at most {maximum} characters).",
                      {field: "Required."})
    return value


def add_platform(*, issuer: Any, client_id: Any, deployment_ids: list[Any],
                 auth_login_url: Any, auth_token_url: Any, keyset_url: Any,
                 name: Any = "") -> LtiPlatform:
    """Register a platform (or update its URLs and add deployments when it is known)."""
    issuer = _text(issuer, "issuer")
    client_id = _text(client_id, "client_id")
    urls = {"auth_login_url": _url(auth_login_url, "auth_login_url"),
            "auth_token_url": _url(auth_token_url, "auth_token_url"),
            "keyset_url": _url(keyset_url, "keyset_url")}
    wanted = [_text(d, "deployment_id") for d in deployment_ids]
    if not wanted:
        raise invalid("Give at least one deployment id.", {"deployment_id": "Required."})
    begin_write(db.session)
    platform = db.session.scalar(select(LtiPlatform).where(
        LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id))
    if platform is None:
        platform = LtiPlatform(issuer=issuer, client_id=client_id)
        db.session.add(platform)
    for key, value in urls.items():
        setattr(platform, key, value)
    platform.name = (name.strip() if isinstance(name, str) else "")[:120] or platform.name or ""
    known = {d.deployment_id for d in platform.deployments}
    for deployment_id in dict.fromkeys(wanted):
        if deployment_id not in known:
            platform.deployments.append(LtiDeployment(deployment_id=deployment_id))
    db.session.flush()
    tool_key()  # made once, before the platform asks for the JWKS
    return platform


def platforms() -> list[LtiPlatform]:
    return list(db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.id)))


def _platform(issuer: str, client_id: str | None) -> LtiPlatform | None:
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        return db.session.scalar(query.where(LtiPlatform.client_id == client_id))
    found = db.session.scalars(query.limit(2)).all()
    return found[0] if len(found) == 1 else None  # without client_id only when unambiguous


def _deployment(platform: LtiPlatform, deployment_id: str) -> LtiDeployment | None:
    return db.session.scalar(select(LtiDeployment).where(
        LtiDeployment.platform_id == platform.id,
        LtiDeployment.deployment_id == deployment_id))


# =========================================================================== tool keys

def tool_key() -> LtiToolKey:
    """The key the tool signs with: ``LTI_PRIVATE_KEY`` from the config, else the oldest one
    in the database, generated on first use (every app server then finds the same one)."""
    configured = current_app.config.get("LTI_PRIVATE_KEY")
    if configured:
        pem = str(configured).strip()
        public = serialization.load_pem_private_key(pem.encode(), None).public_key()
        jwk = _public_jwk(public)
        return LtiToolKey(kid=jwk["kid"], private_pem=pem, public_jwk=jwk)
    key = db.session.scalar(select(LtiToolKey).order_by(LtiToolKey.id).limit(1))
    if key is not None:
        return key
    begin_write(db.session)
    key = db.session.scalar(select(LtiToolKey).order_by(LtiToolKey.id).limit(1))
    if key is None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        jwk = _public_jwk(private.public_key())
        key = LtiToolKey(kid=jwk["kid"], private_pem=pem, public_jwk=jwk)
        db.session.add(key)
        db.session.flush()
    return key


def _public_jwk(public_key) -> dict[str, Any]:
    pem = public_key.public_bytes(serialization.Encoding.PEM,
                                  serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return dict(Registration.get_jwk(pem))  # kid: the RFC 7638 thumbprint


def jwks() -> dict[str, Any]:
    """The tool's public keys, as platforms fetch them to check its signatures."""
    if current_app.config.get("LTI_PRIVATE_KEY"):
        return {"keys": [tool_key().public_jwk]}
    tool_key()  # an LMS may read the keyset before any platform is registered
    keys = db.session.scalars(select(LtiToolKey).order_by(LtiToolKey.id)).all()
    return {"keys": [k.public_jwk for k in keys]}


def registration(platform: LtiPlatform) -> Registration:
    """The library's view of a platform, with the tool's signing key."""
    key = tool_key()
    public = serialization.load_pem_private_key(key.private_pem.encode(), None).public_key()
    return (Registration().set_issuer(platform.issuer).set_client_id(platform.client_id)
            .set_auth_login_url(platform.auth_login_url)
            .set_auth_token_url(platform.auth_token_url)
            .set_key_set_url(platform.keyset_url)
            .set_tool_private_key(key.private_pem)
            .set_tool_public_key(public.public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo).decode()))


class ToolConf(ToolConfAbstract):
    """Registrations looked up in the database (several client ids per issuer allowed)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        platform = _platform(iss, None)
        return registration(platform) if platform else None

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = _platform(iss, client_id)
        return registration(platform) if platform else None

    def find_deployment(self, iss, deployment_id):
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        platform = _platform(iss, client_id)
        if platform is None or _deployment(platform, deployment_id) is None:
            return None
        return Deployment().set_deployment_id(deployment_id)


class TimeoutSession(requests.Session):
    """A requests session that never waits forever on a platform."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(*args, **kwargs)


def http_session() -> requests.Session:
    session = TimeoutSession()
    session.headers["User-Agent"] = "quizapp-lti"
    return session


class ServiceConnector(FlaskServiceConnector):
    """Caches access tokens per process, per platform registration and scopes."""

    def _scope_key(self, scopes) -> str:
        reg = self._registration
        return "|".join([str(reg.get_client_id()), str(reg.get_auth_token_url()),
                         super()._scope_key(scopes)])


# =========================================================================== state

class DbStorage(LaunchDataStorage):
    """The library's nonces, launches and state kept in ``LtiState`` (shared by servers)."""

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return state_get(self._prepare_key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        state_put(self._prepare_key(key), value, exp or LAUNCH_SECONDS)

    def check_value(self, key: str) -> bool:
        return state_get(self._prepare_key(key)) is not None

    def take(self, key: str) -> bool:
        """Delete the key; True for the one caller that found it unexpired."""
        return state_take(self._prepare_key(key)) is not None


class Sessions(SessionService):
    """The library's session service, with single-use nonces: a replayed id_token is refused
    on every server, whatever cookie it comes with."""

    def check_nonce(self, nonce: str) -> bool:
        storage = self.data_storage
        key = self._get_key("nonce", nonce)
        return storage.take(key) if isinstance(storage, DbStorage) else super().check_nonce(nonce)


def state_get(key: str) -> Any:
    row = db.session.get(LtiState, key)
    return row.value if row is not None and row.expires_at > utcnow() else None


def state_put(key: str, value: Any, seconds: float) -> None:
    begin_write(db.session)
    row = db.session.get(LtiState, key)
    if row is None:
        row = LtiState(key=key)
        db.session.add(row)
    row.value = value
    row.expires_at = utcnow() + timedelta(seconds=seconds)
    db.session.flush()


def state_take(key: str) -> Any:
    """Remove and return an unexpired value; a second caller gets None."""
    begin_write(db.session)
    value = state_get(key)
    gone = db.session.execute(delete(LtiState).where(LtiState.key == key,
                                                     LtiState.expires_at > utcnow()))
    return value if gone.rowcount == 1 else None


def purge_state() -> int:
    """Drop expired nonces, launches and tickets."""
    begin_write(db.session)
    return db.session.execute(delete(LtiState).where(LtiState.expires_at <= utcnow())).rowcount


def new_ticket(user_id: int, next_url: str) -> str:
    """A one-time link that signs the user in from a new window (first-party cookies)."""
    ticket = secrets.token_urlsafe(24)
    state_put(f"ticket-{ticket}", {"user_id": user_id, "next": next_url}, TICKET_SECONDS)
    return ticket


def use_ticket(ticket: str) -> tuple[User, str]:
    data = state_take(f"ticket-{ticket}") if re.fullmatch(r"[\w-]{20,64}", ticket) else None
    user = db.session.get(User, data["user_id"]) if data else None
    if user is None:
        raise refused("That link was already used or has expired. Open the activity again "
                      "from your course.", 404)
    return user, data["next"]


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
