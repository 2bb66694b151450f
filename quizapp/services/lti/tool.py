"""The LTI tool itself: registered platforms, its key pair, pylti1p3's adapters, and the
launch state (nonces, launches, login tickets) kept in the database."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from pylti1p3.contrib.flask import FlaskServiceConnector
from pylti1p3.deployment import Deployment
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import delete, select

from ...database import begin_write
from ...errors import ServiceError, invalid
from ...extensions import db
from ...models import (
    LtiDeployment,
    LtiPlatform,
    LtiState,
    LtiToolKey,
    User,
    utcnow,
)

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
