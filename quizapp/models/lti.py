"""The LTI 1.3 tables (quizapp/lti/, services/lti/): platforms, deployments, the tool's keys,
users, contexts and resource links from launches, the grade outbox and short-lived state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..extensions import db
from . import Assignment, Course, User, utcnow


class LtiPlatform(db.Model):
    """An LMS registered with ``quizapp lti add-platform``: where its logins and keys are."""

    __repr_attrs__ = ("issuer", "client_id")

    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The platform's ``iss``, e.g. https://moodle.example.edu or https://canvas.instructure.com.
    issuer: Mapped[str] = mapped_column(String(255))
    #: The id the platform gave this tool (the ``aud`` of its id_tokens).
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120), default="")
    auth_login_url: Mapped[str] = mapped_column(String(500))
    auth_token_url: Mapped[str] = mapped_column(String(500))
    keyset_url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="LtiDeployment.id")


class LtiDeployment(db.Model):
    """A deployment id of a platform; launches from other deployments are refused."""

    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")


class _OfDeployment:
    """What a launch through one deployment creates (a user, a course): ids are unique per
    deployment only, and go when the deployment goes."""

    deployment_id: Mapped[int] = mapped_column(ForeignKey("lti_deployment.id", ondelete="CASCADE"))

    @declared_attr
    def deployment(cls) -> Mapped[LtiDeployment]:  # noqa: N805 - SQLAlchemy's declared_attr
        return relationship()


class LtiToolKey(db.Model):
    """The tool's RSA key pair: signs deep-link responses and service-token assertions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    #: The public half as a JWK (published at /.well-known/jwks.json).
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LtiUser(_OfDeployment, db.Model):
    """A platform's user (``sub``) and the quizapp account made for them at first launch."""

    __table_args__ = (UniqueConstraint("deployment_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sub: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship()


class LtiContext(_OfDeployment, db.Model):
    """A platform course (LTI context) and the quizapp class it fills."""

    __table_args__ = (UniqueConstraint("deployment_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"),
                                           index=True)
    #: Names and Role Provisioning: the roster URL from the latest launch, if offered.
    memberships_url: Mapped[str | None] = mapped_column(String(500))
    course: Mapped[Course] = relationship()


class LtiResourceLink(db.Model):
    """A link placed in the LMS course (by deep linking) that opens one assignment."""

    __table_args__ = (UniqueConstraint("context_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    #: Assignment and Grade Services: the line item scores go to, if the platform gave one.
    lineitem_url: Mapped[str | None] = mapped_column(String(500))
    context: Mapped[LtiContext] = relationship()
    assignment: Mapped[Assignment] = relationship()


class LtiGrade(db.Model):
    """A grade to send to a platform (outbox): written with the attempt's finish, sent later.

    One row per (line item, learner, attempt), so a finish seen twice queues one send.
    """

    __table_args__ = (UniqueConstraint("lineitem_url", "lti_user_id", "attempt_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lineitem_url: Mapped[str] = mapped_column(String(500))
    lti_user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    #: The learner's grade for the assignment after this attempt (by its grading method).
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    #: Not tried again before this time (after a failure), nor while another sender has it.
    next_try_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    lti_user: Mapped[LtiUser] = relationship()


class LtiState(db.Model):
    """Short-lived LTI data shared by every app server: OIDC nonces, launches, entry tickets."""

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
