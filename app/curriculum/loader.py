"""Importing a checked curriculum tree into the database.

A module whose text changed gets a new ModuleVersion; trainees who started the
old one keep it and their progress. A changed question bank becomes a new bank;
attempts keep pointing at the questions they were drawn from. The loader only
flushes: the caller commits, so a failed load leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from app.extensions import db
from app.utils import utcnow

from .models import (
    Country,
    Course,
    Module,
    ModuleGuide,
    ModuleRendition,
    ModuleVersion,
    Question,
    QuestionBank,
)
from .modules import module_from_source
from .render import markdown_to_html, render_module, rendition_hash, rendition_languages
from .source import Problem
from .tree import Curriculum


class CurriculumInvalid(Exception):
    """The tree has problems; nothing was loaded."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the curriculum")
        self.problems = problems


@dataclass
class LoadReport:
    countries: int = 0
    courses: int = 0
    new_versions: list[str] = field(default_factory=list)
    unchanged_modules: list[str] = field(default_factory=list)
    new_banks: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    renditions_written: int = 0
    renditions_unchanged: int = 0


def load_curriculum(cur: Curriculum) -> LoadReport:
    """Bring the database in line with the tree; raise CurriculumInvalid if the tree has problems."""
    if cur.problems:
        raise CurriculumInvalid(cur.problems)
    report = LoadReport()
    _load_countries(cur, report)
    courses = _load_courses(cur, report)
    existing = {m.slug: m for m in db.session.scalars(sa.select(Module))}
    for module_def in sorted(cur.modules.values(), key=lambda m: (m.prong, m.order)):
        module = existing.get(module_def.id)
        if module is None:
            module = Module(slug=module_def.id, course=courses[module_def.prong], position=module_def.order)
            db.session.add(module)
            db.session.flush()
        module.course_id = courses[module_def.prong].id
        module.position = module_def.order
        module.retired = False
        version = _load_version(module, module_def, report)
        _load_renditions(cur, module_def, version, report)
        _reload_older_versions(cur, module, module_def, report)
        _load_bank(cur, module, module_def, report)
        _load_guide(cur, module, module_def)
    for slug, module in existing.items():
        if slug not in cur.modules and not module.retired:
            module.retired = True
            report.retired.append(slug)
    db.session.flush()
    return report


def _load_countries(cur: Curriculum, report: LoadReport) -> None:
    for code, profile in cur.profiles.items():
        country = db.session.get(Country, code) or Country(code=code)
        country.name = profile.name
        country.languages = list(profile.languages)
        country.profile = profile.as_json()
        db.session.add(country)
        report.countries += 1
    db.session.flush()


def _load_courses(cur: Curriculum, report: LoadReport) -> dict[str, Course]:
    courses = {c.prong: c for c in db.session.scalars(sa.select(Course))}
    for prong, course_def in cur.courses.items():
        course = courses.get(prong) or Course(prong=prong)
        course.title = course_def.title
        course.description = course_def.description
        course.audience = course_def.audience or None
        course.test_draw = course_def.test_draw
        course.validity_months = course_def.validity_months
        course.follow_up_months = course_def.follow_up_months
        course.translations = course_def.translations or None
        db.session.add(course)
        courses[prong] = course
        report.courses += 1
    db.session.flush()
    return courses


def _load_version(module: Module, module_def, report: LoadReport) -> ModuleVersion:
    version = db.session.scalar(
        sa.select(ModuleVersion).filter_by(module_id=module.id, content_hash=module_def.content_hash)
    )
    if version is None:
        last = db.session.scalar(sa.select(sa.func.max(ModuleVersion.number)).filter_by(module_id=module.id))
        version = ModuleVersion(
            module_id=module.id, number=(last or 0) + 1, label=str(module_def.version), title=module_def.title,
            estimated_minutes=module_def.estimated_minutes, objectives=list(module_def.objectives),
            sources=list(module_def.sources), section_count=len(module_def.body.sections),
            content_hash=module_def.content_hash, source=module_def.source or None,
        )
        db.session.add(version)
        db.session.flush()
        report.new_versions.append(f"{module_def.id} v{version.number}")
    else:
        report.unchanged_modules.append(module_def.id)
        if version.source is None and module_def.source:
            version.source = module_def.source  # versions loaded before sources were kept
    module.current_version_id = version.id
    return version


def _load_renditions(cur: Curriculum, module_def, version: ModuleVersion, report: LoadReport) -> None:
    stored = {
        (r.country_code, r.language): r
        for r in db.session.scalars(sa.select(ModuleRendition).filter_by(module_version_id=version.id))
    }
    wanted = set()
    for code, profile in sorted(cur.profiles.items()):
        for language in rendition_languages(cur, module_def):
            wanted.add((code, language))
            digest = rendition_hash(cur, module_def, profile, language)
            row = stored.get((code, language))
            if row is not None and row.content_hash == digest:
                report.renditions_unchanged += 1
                continue
            content = render_module(cur, module_def, profile, language)
            if row is None:
                row = ModuleRendition(module_version_id=version.id, country_code=code, language=language)
                db.session.add(row)
            row.content_hash = digest
            row.content = content
            report.renditions_written += 1
    for key, row in stored.items():
        if key not in wanted:
            db.session.delete(row)


def _reload_older_versions(cur: Curriculum, module: Module, module_def, report: LoadReport) -> None:
    """Render older versions again with today's national passages and profiles, so that a trainee who keeps
    the version they started still reads the current national law. A translation is used for an older
    version only if it translates that version; otherwise the older version is read in English."""
    older = db.session.scalars(sa.select(ModuleVersion).where(
        ModuleVersion.module_id == module.id, ModuleVersion.id != module.current_version_id,
        ModuleVersion.source.is_not(None)))
    for version in older:
        old_def = module_from_source(version.source, module_def.path, module_def.prong)
        if old_def is None or old_def.id != module_def.id:
            continue
        view = replace(cur, translations=[t for t in cur.translations
                                          if t.module_id != module_def.id or str(t.source_version) == version.label])
        _load_renditions(view, old_def, version, report)


def _load_bank(cur: Curriculum, module: Module, module_def, report: LoadReport) -> None:
    bank_def = cur.banks[module_def.id]
    bank = db.session.scalar(
        sa.select(QuestionBank).filter_by(module_id=module.id, content_hash=bank_def.content_hash)
    )
    if bank is None:
        bank = QuestionBank(
            module_id=module.id, content_hash=bank_def.content_hash, pass_mark=bank_def.pass_mark,
            draw_count=bank_def.draw, translations=bank_def.translations,
            max_attempts=bank_def.retake.get("max_attempts"),
            retake_wait_minutes=bank_def.retake.get("wait_minutes"),
        )
        db.session.add(bank)
        db.session.flush()
        headings = [s.heading for s in module_def.body.sections]
        for position, q in enumerate(bank_def.questions):
            data = q.as_json()
            # The 0-based section a failed item sends the trainee back to (headings are checked by validate).
            data["section_index"] = headings.index(q.section) if q.section in headings else None
            db.session.add(Question(
                bank_id=bank.id, key=q.key, position=position, type=q.type,
                countries=list(q.countries) if q.countries else None, data=data,
            ))
        report.new_banks.append(module_def.id)
    module.current_bank_id = bank.id


def _load_guide(cur: Curriculum, module: Module, module_def) -> None:
    """The module's trainer's guide, rendered and sanitised like the module text (replaced when changed)."""
    guide_def = cur.guides.get(module_def.id)
    if guide_def is None:
        return
    guide = db.session.scalar(sa.select(ModuleGuide).filter_by(module_id=module.id))
    if guide is not None and guide.content_hash == guide_def.content_hash:
        return
    if guide is None:
        guide = ModuleGuide(module_id=module.id)
        db.session.add(guide)
    guide.duration_minutes = guide_def.duration_minutes
    guide.sections = [{"heading": heading, "html": markdown_to_html(text)} for heading, text in guide_def.sections]
    guide.content_hash = guide_def.content_hash
    guide.updated_at = utcnow()
