"""A trainee's progress through module versions and their quiz attempts."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.curriculum.models import Module, ModuleVersion
from app.extensions import db
from app.utils import utcnow


class ModuleProgress(db.Model):
    """Where one trainee is in one module version. Complete = last section reached and quiz passed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"))
    module_version_id: Mapped[int] = mapped_column(sa.ForeignKey("module_version.id"))
    #: Highest section index (0-based) the trainee has finished reading; -1 before the first.
    furthest_section: Mapped[int] = mapped_column(default=-1)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    reached_end_at: Mapped[datetime | None]
    quiz_passed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    #: online, or classroom (completed by attending a classroom session and passing its test).
    delivery: Mapped[str] = mapped_column(sa.String(10), default="online", server_default="online")

    module: Mapped[Module] = relationship()
    module_version: Mapped[ModuleVersion] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "module_version_id", name="uq_module_progress_user_version"),
        sa.Index("ix_module_progress_user_module", "user_id", "module_id"),
        sa.CheckConstraint("furthest_section >= -1", name="furthest_section"),
    )


#: A module's quiz; a course's pre-test and post-test; a course's refresher test (renews a completion).
ATTEMPT_KINDS = ("module", "pre_test", "post_test", "refresher")


class QuizAttempt(db.Model):
    """One drawing of a quiz for one trainee; submitted once, never changed after.

    `kind` is "module" for a module's quiz, or "pre_test"/"post_test" for a course's tests, which draw
    from the banks of all its modules and measure knowledge gain (no pass mark); "refresher" is the test that
    renews a completion that has lapsed or is about to (drawn like the post-test, with a pass mark).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unguessable id the quiz form carries; a replayed token finds a submitted attempt and is refused.
    token: Mapped[str] = mapped_column(sa.String(43), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(sa.String(10), default="module")
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course.id"))
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("module.id"))
    module_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("module_version.id"))
    bank_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question_bank.id"))
    #: [{"question_id": int, "order": [option ids as shown]}], in the order shown.
    drawn: Mapped[list] = mapped_column(sa.JSON)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    #: {question_id: chosen option ids (list) or true/false}
    answers: Mapped[dict | None] = mapped_column(sa.JSON)
    correct_count: Mapped[int | None]
    question_count: Mapped[int]
    score_percent: Mapped[int | None]
    #: Pass or fail against the module's pass mark; null for course tests, which have none.
    passed: Mapped[bool | None]

    module: Mapped[Module | None] = relationship()

    __table_args__ = (
        sa.Index("ix_quiz_attempt_user_module", "user_id", "module_id"),
        sa.Index("ix_quiz_attempt_user_course_kind", "user_id", "course_id", "kind"),
        sa.CheckConstraint("question_count > 0", name="has_questions"),
        sa.CheckConstraint(sa.text(f"kind IN {ATTEMPT_KINDS!r}"), name="kind"),
        sa.CheckConstraint(
            "(kind = 'module' AND module_id IS NOT NULL AND bank_id IS NOT NULL) "
            "OR (kind <> 'module' AND course_id IS NOT NULL)", name="target"),
        sa.CheckConstraint("(submitted_at IS NULL) = (score_percent IS NULL)", name="graded_when_submitted"),
    )


class CourseProgress(db.Model):
    """When a trainee started and completed a course (completion = certificate issued).

    Derivable from ModuleProgress and Certificate, but kept as one row per trainee and course so that
    coverage over hundreds of thousands of trainees is one scan of this table, not of every module row.
    Maintained by `learning.services` (start) and `academy.certificates` (completion).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    #: How the course was completed: online, classroom (a session's attendance and paper test), or blended.
    delivery: Mapped[str] = mapped_column(sa.String(10), default="online", server_default="online")

    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id", name="uq_course_progress_user_course"),
        sa.Index("ix_course_progress_course", "course_id"),
    )


class CourseCompletion(db.Model):
    """One completion of a course, dated, kept for good: the first one and every renewal.

    Coverage counts a person as trained on a date from these rows (a completion valid on that date), so that
    any past date is counted as it was. Written only by `learning.progress` (`complete_course_if_done` and
    `renew_course`), whether the course was completed online or in class.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    completed_at: Mapped[datetime]
    #: The first day on which this completion no longer counts (completed_at + the course's validity);
    #: null: it never lapses (the course had no validity period when it was completed).
    valid_until: Mapped[date | None]
    #: "first" (the course completed) or "renewal" (a refresher passed after or near the lapse).
    how: Mapped[str] = mapped_column(sa.String(10))
    #: online, classroom or blended, as `CourseProgress.delivery`.
    delivery: Mapped[str] = mapped_column(sa.String(10), default="online", server_default="online")

    __table_args__ = (
        sa.Index("ix_course_completion_user_course", "user_id", "course_id"),
        sa.Index("ix_course_completion_course", "course_id"),
        sa.CheckConstraint(sa.text("how IN ('first', 'renewal')"), name="how"),
        sa.CheckConstraint(sa.text("delivery IN ('online', 'classroom', 'blended')"), name="delivery"),
    )


class AttemptAnswer(db.Model):
    """One answered question of a submitted attempt: the raw material of item statistics.

    Written once with the attempt's grade. `rest_score` is the share of the attempt's other questions
    answered right (the criterion of the point-biserial discrimination); `chosen_mask` has bit i set
    for the i-th option in the author's order (true/false: bit 0 true, bit 1 false). Country and
    language are the trainee's at the time, so that figures split by them need no join.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempt.id"), index=True)
    #: Whose answer: item statistics withhold groups of fewer than the threshold of people.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"))
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("question_bank.id"))
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"))
    kind: Mapped[str] = mapped_column(sa.String(10))
    language: Mapped[str] = mapped_column(sa.String(8))
    country_code: Mapped[str] = mapped_column(sa.String(2))
    correct: Mapped[int]
    rest_score: Mapped[float | None]
    chosen_mask: Mapped[int]

    __table_args__ = (
        sa.Index("ix_attempt_answer_bank_kind", "bank_id", "kind"),
        sa.Index("ix_attempt_answer_module_kind", "module_id", "kind"),
        sa.CheckConstraint("correct IN (0, 1)", name="correct_binary"),
        sa.CheckConstraint(sa.text(f"kind IN {ATTEMPT_KINDS!r}"), name="kind"),
    )
