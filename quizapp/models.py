"""Database models. Times are naive UTC (``utcnow``) so SQLite and PostgreSQL agree."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .domain.live import LivePhase
from .extensions import db


def utcnow() -> datetime:
    """Return the current UTC time without tzinfo, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def _enum(cls: type[enum.Enum]) -> Enum:
    # Store the readable value, checked by a constraint, on both backends.
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                create_constraint=True, length=20, name=cls.__name__.lower())


class Role(enum.Enum):
    STUDENT = "student"
    INSTRUCTOR = "instructor"


class FactStatus(enum.Enum):
    CANDIDATE = "candidate"
    APPROVED = "approved"
    REJECTED = "rejected"


class QuestionStatus(enum.Enum):
    ACTIVE = "active"
    RETIRED = "retired"


class AttemptMode(enum.Enum):
    PRACTICE = "practice"
    REVIEW = "review"
    ASSIGNMENT = "assignment"


class Grading(enum.Enum):
    HIGHEST = "highest"
    LAST = "last"
    FIRST = "first"
    AVERAGE = "average"


class ShowKeys(enum.Enum):
    IMMEDIATELY = "immediately"
    AFTER_DUE = "after_due"
    NEVER = "never"


class AccountMixin(UserMixin):
    """What Flask-Login and the views ask of a user: a ``User`` row or a cached ``Identity``."""

    id: int
    role: Role
    session_nonce: str

    @property
    def is_instructor(self) -> bool:
        return self.role is Role.INSTRUCTOR

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"


class User(AccountMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.STUDENT)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Changes on password change or "log out everywhere"; part of the session id.
    session_nonce: Mapped[str] = mapped_column(String(32), default="")

    def __repr__(self) -> str:
        return f"<User {self.username!r} {self.role.value}>"


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the bearer token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id}>"


class LoginFailure(db.Model):
    """A failed login, counted per username and per address to throttle guessing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Document(db.Model):
    """A commentary that facts are drawn from."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    facts: Mapped[list[Fact]] = relationship(back_populates="document", order_by="Fact.position")

    def __repr__(self) -> str:
        return f"<Document {self.slug!r}>"


class Fact(db.Model):
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    topic: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[FactStatus] = mapped_column(_enum(FactStatus), default=FactStatus.APPROVED)
    quote: Mapped[str] = mapped_column(Text)
    #: The whole curated record (question, statement, answer, aliases, distractors...).
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    document: Mapped[Document] = relationship(back_populates="facts")

    @property
    def answer_text(self) -> str:
        answer = self.data.get("answer")
        return ", ".join(answer) if isinstance(answer, list) else str(answer)

    def __repr__(self) -> str:
        return f"<Fact {self.id!r} {self.kind}>"


class Question(db.Model):
    """One question of the bank; editing makes a new version so statistics stay apart."""

    __table_args__ = (UniqueConstraint("uid", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable generator id, e.g. ``mission-to-nato-established.mcq``.
    uid: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    type: Mapped[str] = mapped_column(String(20), index=True)
    topic: Mapped[str] = mapped_column(String(80), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    status: Mapped[QuestionStatus] = mapped_column(_enum(QuestionStatus),
                                                   default=QuestionStatus.ACTIVE, index=True)
    #: The generated question: prompt, choices/items/left/right, answer, answer_text, source...
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Fact ids the question asks about (several for ordering and matching).
    fact_ids: Mapped[list[str]] = mapped_column(JSON)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("question.id"))
    #: The instructor whose own version this is (their edit or retirement of a shared seed
    #: question, used by their classes and warm-ups only); None: the shared bank.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def prompt(self) -> str:
        return self.payload["prompt"]

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.uid!r} v{self.version}>"


class QuestionFlag(db.Model):
    """A report that a question is wrong, from a student or an instructor."""

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"),
                                             index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    comment: Mapped[str] = mapped_column(Text, default="")
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    question: Mapped[Question] = relationship()
    user: Mapped[User] = relationship()


class Course(db.Model):
    """A class an instructor teaches (``class`` is a Python keyword)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    owner: Mapped[User] = relationship()
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="course",
                                                        cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Course {self.name!r}>"


class Enrollment(db.Model):
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: "student" or "instructor" (a co-instructor promoted by the owner).
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.STUDENT)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    course: Mapped[Course] = relationship(back_populates="enrollments")
    user: Mapped[User] = relationship()


class Assignment(db.Model):
    __table_args__ = (CheckConstraint("max_attempts >= 1", name="max_attempts_positive"),
                      CheckConstraint("count >= 1", name="count_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"),
                                           index=True)
    title: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)
    types: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Hand-picked question ids; empty means "draw from the pool".
    question_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    grading: Mapped[Grading] = mapped_column(_enum(Grading), default=Grading.HIGHEST)
    show_keys: Mapped[ShowKeys] = mapped_column(_enum(ShowKeys), default=ShowKeys.IMMEDIATELY)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    #: True: everyone gets the questions drawn with ``seed``; False: drawn per student.
    same_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    course: Mapped[Course] = relationship()

    def __repr__(self) -> str:
        return f"<Assignment {self.id} {self.title!r}>"


class Attempt(db.Model):
    #: One attempt per start form sent: a double submit finds the attempt the first made.
    #: A unique index, not a constraint: SQLite adds it without rebuilding the table.
    __table_args__ = (Index("ux_attempt_user_id_start_key", "user_id", "start_key",
                            unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    mode: Mapped[AttemptMode] = mapped_column(_enum(AttemptMode), default=AttemptMode.PRACTICE)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Server-enforced end of a timed attempt.
    deadline: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[int] = mapped_column(Integer, default=0)
    #: The random key of the form that started it (None from the API and assignments).
    start_key: Mapped[str | None] = mapped_column(String(32))
    user: Mapped[User] = relationship()
    assignment: Mapped[Assignment | None] = relationship()
    items: Mapped[list[AttemptQuestion]] = relationship(
        order_by="AttemptQuestion.position", cascade="all, delete-orphan")
    responses: Mapped[list[Response]] = relationship(cascade="all, delete-orphan")

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def __repr__(self) -> str:
        return f"<Attempt {self.id} user={self.user_id} {self.mode.value}>"


class AttemptQuestion(db.Model):
    """The questions of an attempt, in the order they are asked."""

    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),
                      UniqueConstraint("attempt_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    position: Mapped[int] = mapped_column(Integer)
    question: Mapped[Question] = relationship()


class Response(db.Model):
    """An answer given in an attempt; one per question, the first one counts."""

    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"),
                                            index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    response: Mapped[Any] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(Boolean)
    #: Partial credit in [0, 1] (multi, ordering and matching score by parts).
    credit: Mapped[float] = mapped_column(Float)
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    question: Mapped[Question] = relationship()


class FactProgress(db.Model):
    """What one learner knows of one fact, with its FSRS card."""

    __table_args__ = (UniqueConstraint("user_id", "fact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    fact_id: Mapped[str] = mapped_column(ForeignKey("fact.id", ondelete="CASCADE"))
    seen: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime)
    #: Question type asked last, so the next review asks in another form.
    last_type: Mapped[str | None] = mapped_column(String(20))
    due: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    #: ``fsrs.Card.to_dict()``.
    card: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class LiveGame(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    pin: Mapped[str] = mapped_column(String(6), index=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_ids: Mapped[list[int]] = mapped_column(JSON)
    phase: Mapped[LivePhase] = mapped_column(_enum(LivePhase), default=LivePhase.LOBBY)
    question_index: Mapped[int] = mapped_column(Integer, default=-1)
    seconds_per_question: Mapped[int] = mapped_column(Integer, default=20)
    speed_bonus: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Server clock: answers after this instant are refused.
    deadline: Mapped[datetime | None] = mapped_column(DateTime)
    question_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Bumped on every change players must see; the state ETag.
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    host: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<LiveGame {self.pin} {self.phase.value}>"


class LivePlayer(db.Model):
    __table_args__ = (UniqueConstraint("game_id", "nickname_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("live_game.id", ondelete="CASCADE"),
                                         index=True)
    nickname: Mapped[str] = mapped_column(String(24))
    #: Case-folded nickname, unique in a game.
    nickname_key: Mapped[str] = mapped_column(String(24))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kicked: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float] = mapped_column(Float, default=0)
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LiveAnswer(db.Model):
    __table_args__ = (UniqueConstraint("player_id", "question_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("live_game.id", ondelete="CASCADE"),
                                         index=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("live_player.id", ondelete="CASCADE"))
    question_index: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    response: Mapped[Any] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[float] = mapped_column(Float, default=0)
    #: "sure" / "unsure" when the host asks for confidence.
    confidence: Mapped[str | None] = mapped_column(String(10))
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# ---------------------------------------------------------------- LTI 1.3 (quizapp/lti/)

class LtiPlatform(db.Model):
    """An LMS registered with ``quizapp lti add-platform``: where its logins and keys are."""

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

    def __repr__(self) -> str:
        return f"<LtiPlatform {self.issuer!r} {self.client_id!r}>"


class LtiDeployment(db.Model):
    """A deployment id of a platform; launches from other deployments are refused."""

    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")


class LtiToolKey(db.Model):
    """The tool's RSA key pair: signs deep-link responses and service-token assertions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    #: The public half as a JWK (published at /.well-known/jwks.json).
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LtiUser(db.Model):
    """A platform's user (``sub``) and the quizapp account made for them at first launch."""

    __table_args__ = (UniqueConstraint("deployment_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(
        ForeignKey("lti_deployment.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship()
    deployment: Mapped[LtiDeployment] = relationship()


class LtiContext(db.Model):
    """A platform course (LTI context) and the quizapp class it fills."""

    __table_args__ = (UniqueConstraint("deployment_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(
        ForeignKey("lti_deployment.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"),
                                           index=True)
    #: Names and Role Provisioning: the roster URL from the latest launch, if offered.
    memberships_url: Mapped[str | None] = mapped_column(String(500))
    course: Mapped[Course] = relationship()
    deployment: Mapped[LtiDeployment] = relationship()


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
