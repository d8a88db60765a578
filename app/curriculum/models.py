"""Curriculum as stored: courses, module versions, renditions per country and language, question banks."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.foundation import prongs
from app.utils import utcnow

from .tree import BASE_LANGUAGE


class Country(db.Model):
    """A jurisdiction with its profile (languages, legal references), loaded from curricula/countries."""

    code: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: ISO 639 codes; the first is the default language of new users.
    languages: Mapped[list] = mapped_column(sa.JSON)
    profile: Mapped[dict] = mapped_column(sa.JSON)


class Course(db.Model):
    """The course of one prong: its modules in order."""

    id: Mapped[int] = mapped_column(primary_key=True)
    prong: Mapped[str] = mapped_column(sa.String(20), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    #: Who the course is for, in the author's words (course.yml `audience`).
    audience: Mapped[str | None] = mapped_column(sa.Text)
    #: Questions drawn for the course pre-test and post-test (from the modules' banks); null: no tests.
    test_draw: Mapped[int | None]
    #: Months a completion counts before a refresher is needed (course.yml `validity_months`); null: never lapses.
    validity_months: Mapped[int | None]
    #: Months after a completion when the follow-up questionnaire goes out (app/evaluation); None: never.
    follow_up_months: Mapped[int | None]
    #: Title and description per language (from course.yml): {"sq": {"status", "title", "description"}}.
    translations: Mapped[dict | None] = mapped_column(sa.JSON)
    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position",
        primaryjoin="and_(Course.id == Module.course_id, Module.retired.is_(False))", viewonly=True,
    )

    __table_args__ = (sa.CheckConstraint(sa.text(prongs.sql_in("prong")), name="prong"),)

    def text_in(self, languages: str | list[str]) -> dict:
        """Title, description and language of the course text for a reader of `languages` (one language, or
        a reading chain in order of preference)."""
        for language in [languages] if isinstance(languages, str) else languages:
            translated = (self.translations or {}).get(language)
            if translated:
                return {"title": translated["title"], "description": translated["description"], "language": language}
        return {"title": self.title, "description": self.description, "language": BASE_LANGUAGE}


class Module(db.Model):
    """A module across its versions; `slug` is the id in the Markdown front matter."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    position: Mapped[int]
    #: A module whose file was removed stays for the history of those who took it.
    retired: Mapped[bool] = mapped_column(default=False)
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("module_version.id", use_alter=True, name="fk_module_current_version_id_module_version")
    )
    current_bank_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("question_bank.id", use_alter=True, name="fk_module_current_bank_id_question_bank")
    )

    course: Mapped[Course] = relationship(back_populates="modules", foreign_keys=[course_id])
    current_version: Mapped[ModuleVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)
    current_bank: Mapped[QuestionBank | None] = relationship(foreign_keys=[current_bank_id], post_update=True)


class ModuleGuide(db.Model):
    """A module's trainer's guide as loaded (facilitator notes): for trainers and administrators only."""

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), unique=True)
    duration_minutes: Mapped[int]
    #: [{"heading": ..., "html": ...}] in the guide's section order, rendered and sanitised at load.
    sections: Mapped[list] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModuleVersion(db.Model):
    """One text of a module. A changed file becomes a new version; progress stays on the old one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), index=True)
    number: Mapped[int]
    #: The `version` the author wrote in the front matter.
    label: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(200))
    estimated_minutes: Mapped[int]
    objectives: Mapped[list] = mapped_column(sa.JSON)
    sources: Mapped[list] = mapped_column(sa.JSON)
    section_count: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The module file as it was, so that this version can be rendered again with today's national passages.
    source: Mapped[str | None] = mapped_column(sa.Text)

    module: Mapped[Module] = relationship(foreign_keys=[module_id])

    __table_args__ = (
        sa.UniqueConstraint("module_id", "number", name="uq_module_version_number"),
        sa.UniqueConstraint("module_id", "content_hash", name="uq_module_version_content"),
        sa.CheckConstraint("section_count > 0", name="has_sections"),
    )


class ModuleRendition(db.Model):
    """A module version rendered for one country and language, stored so that no request renders."""

    id: Mapped[int] = mapped_column(primary_key=True)
    module_version_id: Mapped[int] = mapped_column(sa.ForeignKey("module_version.id"))
    country_code: Mapped[str] = mapped_column(sa.ForeignKey("country.code"))
    #: The language asked for; `content["language"]` is the language of the text actually used.
    language: Mapped[str] = mapped_column(sa.String(8))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[dict] = mapped_column(sa.JSON)

    __table_args__ = (
        sa.UniqueConstraint("module_version_id", "country_code", "language", name="uq_module_rendition_key"),
    )


class QuestionBank(db.Model):
    """The questions of a module as loaded at one time; a changed bank file becomes a new bank."""

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), index=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    pass_mark: Mapped[int]
    draw_count: Mapped[int]
    #: Attempts a trainee may submit on this bank (null: no limit), and minutes between two attempts.
    max_attempts: Mapped[int | None]
    retake_wait_minutes: Mapped[int | None]
    #: Per language: {"status": "draft"|"reviewed", "questions": {key: {...}}}
    translations: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questions: Mapped[list[Question]] = relationship(back_populates="bank", order_by="Question.position")

    __table_args__ = (
        sa.UniqueConstraint("module_id", "content_hash", name="uq_question_bank_content"),
        sa.CheckConstraint("pass_mark BETWEEN 1 AND 100", name="pass_mark_range"),
        sa.CheckConstraint("draw_count > 0", name="draw_positive"),
        sa.CheckConstraint("max_attempts IS NULL OR max_attempts > 0", name="max_attempts_positive"),
        sa.CheckConstraint("retake_wait_minutes IS NULL OR retake_wait_minutes > 0", name="retake_wait_positive"),
    )


class Question(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("question_bank.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int]
    type: Mapped[str] = mapped_column(sa.String(20))
    #: Country codes the question is limited to, or null for every country.
    countries: Mapped[list | None] = mapped_column(sa.JSON)
    #: prompt, options [{id, text}], answer, explanation. The answer never leaves the server before grading.
    data: Mapped[dict] = mapped_column(sa.JSON)

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")

    __table_args__ = (
        sa.UniqueConstraint("bank_id", "key", name="uq_question_bank_key"),
        sa.CheckConstraint(sa.text("type IN ('single', 'multiple', 'true_false')"), name="type"),
    )
