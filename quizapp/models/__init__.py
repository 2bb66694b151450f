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
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.live import LivePhase
from ..extensions import db


def utcnow() -> datetime:
    """Return the current UTC time without tzinfo, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def _enum(cls: type[enum.Enum]) -> Enum:
    # Store the readable value, checked by a constraint, on both backends.
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                create_constraint=True, length=20, name=cls.__name__.lower())


class _Named(enum.Enum):
    """An enum whose members' values are their names in lower case (what is stored)."""

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list) -> str:
        return name.lower()


class Role(_Named):
    """What a user may do: practise and join classes, or also teach and host warm-ups."""

    STUDENT, INSTRUCTOR = enum.auto(), enum.auto()


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
    """An account: a student, or an instructor who also teaches and hosts warm-ups."""

    __repr_attrs__ = ("username", "role")

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.STUDENT)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Changes on password change or "log out everywhere"; part of the session id.
    session_nonce: Mapped[str] = mapped_column(String(32), default="")


class ApiToken(db.Model):
    """A bearer token for the JSON API, stored as its hash; it expires and can be revoked."""

    __repr_attrs__ = ("id", "user_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the bearer token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """A failed login, counted per username and per address to throttle guessing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Commentary(db.Model):
    """The text that facts are drawn from (the table keeps the model's first name)."""

    __repr_attrs__ = ("slug",)

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    facts: Mapped[list[Fact]] = relationship(back_populates="commentary", order_by="Fact.position")


class FactStatus(_Named):
    """A fact of a commentary: proposed by extraction, approved to yield questions, or not."""

    CANDIDATE, APPROVED, REJECTED = enum.auto(), enum.auto(), enum.auto()


class Fact(db.Model):
    """A fact of a commentary and the sentence it quotes; approved facts yield questions."""

    __repr_attrs__ = ("id", "kind")

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
    commentary: Mapped[Commentary] = relationship(back_populates="facts")

    @property
    def answer_text(self) -> str:
        answer = self.data.get("answer")
        return ", ".join(answer) if isinstance(answer, list) else str(answer)


class QuestionStatus(_Named):
    """A question is drawn into new quizzes while active; a retired one stays for history."""

    ACTIVE, RETIRED = enum.auto(), enum.auto()


class Question(db.Model):
    """One question of the bank; editing makes a new version so statistics stay apart."""

    __repr_attrs__ = ("id", "uid", "version")

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

    __repr_attrs__ = ("name",)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Set when the instructor archives the class: hidden from its students, read-only.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)
    owner: Mapped[User] = relationship()
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="course",
                                                        cascade="all, delete-orphan")


class Enrollment(db.Model):
    """A user in a class's roster, as a student or as a co-instructor."""

    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: "student" or "instructor" (a co-instructor promoted by the owner).
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.STUDENT)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    course: Mapped[Course] = relationship(back_populates="enrollments")
    user: Mapped[User] = relationship()


class Grading(_Named):
    """Which of a student's attempts at an assignment counts in the gradebook."""

    HIGHEST, LAST, FIRST, AVERAGE = enum.auto(), enum.auto(), enum.auto(), enum.auto()


class ShowKeys(_Named):
    """When students of an assignment see the right answers."""

    IMMEDIATELY, AFTER_DUE, NEVER = enum.auto(), enum.auto(), enum.auto()


class Assignment(db.Model):
    """A quiz set for a class: its questions, when it is due and how attempts are graded."""

    __repr_attrs__ = ("id", "title")

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
    #: No attempt starts before this time (None: as soon as it is assigned).
    available_from: Mapped[datetime | None] = mapped_column(DateTime)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    grading: Mapped[Grading] = mapped_column(_enum(Grading), default=Grading.HIGHEST)
    show_keys: Mapped[ShowKeys] = mapped_column(_enum(ShowKeys), default=ShowKeys.IMMEDIATELY)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    #: True: everyone gets the questions drawn with ``seed``; False: drawn per student.
    same_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    course: Mapped[Course] = relationship()


class AttemptMode(_Named):
    """Why a quiz was started: free practice, due reviews, an assignment, or past mistakes."""

    PRACTICE = enum.auto()
    REVIEW = enum.auto()
    ASSIGNMENT = enum.auto()
    #: The facts the learner's latest answer got wrong (services/study/mistakes.py).
    MISTAKES = enum.auto()


class Attempt(db.Model):
    """One learner's go at a quiz (practice, review, assignment or mistakes)."""

    __repr_attrs__ = ("id", "user_id", "mode")

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
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan")

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


class Extension(db.Model):
    """A later due date for one student on one assignment."""

    __repr_attrs__ = ("assignment_id", "user_id")

    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class GradeOverride(db.Model):
    """A grade an instructor set for one student on one assignment, with the reason; it
    replaces the grade the attempts give, which stays visible beside it."""

    __repr_attrs__ = ("assignment_id", "user_id")

    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),
                      CheckConstraint("grade >= 0", name="grade_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: Points, out of the assignment's number of questions.
    grade: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    set_by: Mapped[User | None] = relationship(foreign_keys=[set_by_id])


class AttemptQuestion(db.Model):
    """The questions of an attempt, in the order they are asked."""

    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),
                      UniqueConstraint("attempt_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    position: Mapped[int] = mapped_column(Integer)
    #: Loaded with the item, in the same query: an item is always shown with its question.
    question: Mapped[Question] = relationship(lazy="joined")


class Answer(db.Model):
    """An answer given in an attempt; one per question, the first one counts."""

    __tablename__ = "response"
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
    """A warm-up: its PIN, host, questions and the phase it is in."""

    __repr_attrs__ = ("pin", "phase")

    __table_args__ = (
        # Players find a game by PIN: no two open games share one (the code draws again on
        # the IntegrityError rather than checking first, so two hosts cannot race).
        Index("ux_live_game_open_pin", "pin", unique=True,
              sqlite_where=text("phase != 'finished'"),
              postgresql_where=text("phase != 'finished'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pin: Mapped[str] = mapped_column(String(6), index=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_ids: Mapped[list[int]] = mapped_column(JSON)
    phase: Mapped[LivePhase] = mapped_column(_enum(LivePhase), default=LivePhase.LOBBY)
    question_index: Mapped[int] = mapped_column(Integer, default=-1)
    seconds_per_question: Mapped[int] = mapped_column(Integer, default=20)
    speed_bonus: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Show the answer as soon as every player still in has answered.
    auto_reveal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Server clock: answers after this instant are refused.
    deadline: Mapped[datetime | None] = mapped_column(DateTime)
    question_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Bumped on every change players must see; the state ETag.
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    host: Mapped[User] = relationship()


class LiveQuestionSet(db.Model):
    """An instructor's saved list of questions to start warm-ups from."""

    __repr_attrs__ = ("id", "name")

    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: Question ids in the order they are asked.
    question_ids: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class _OfGame:
    """A row of one warm-up: found by its game, deleted with it."""

    game_id: Mapped[int] = mapped_column(ForeignKey("live_game.id", ondelete="CASCADE"),
                                         index=True)


class LivePlayer(_OfGame, db.Model):
    """A phone in a warm-up: its nickname, its token (stored as a hash) and its score."""

    __table_args__ = (UniqueConstraint("game_id", "nickname_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nickname: Mapped[str] = mapped_column(String(24))
    #: Case-folded nickname, unique in a game.
    nickname_key: Mapped[str] = mapped_column(String(24))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kicked: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float] = mapped_column(Float, default=0)
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LiveAnswer(_OfGame, db.Model):
    """A player's answer to one question of a warm-up: one per question."""

    __table_args__ = (UniqueConstraint("player_id", "question_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("live_player.id", ondelete="CASCADE"))
    question_index: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    response: Mapped[Any] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[float] = mapped_column(Float, default=0)
    #: "sure" / "unsure" when the host asks for confidence.
    confidence: Mapped[str | None] = mapped_column(String(10))
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# The LTI 1.3 tables (quizapp/lti/) are in their own module; every model is importable from here.
from .lti import (  # noqa: E402, F401
    LtiContext,
    LtiDeployment,
    LtiGrade,
    LtiPlatform,
    LtiResourceLink,
    LtiState,
    LtiToolKey,
    LtiUser,
)
